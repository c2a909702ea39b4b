"""One error class per problem code: a client that branches on a code meets one problem, with one title,
wherever it is raised. Found by importing every module of the app; no database."""

import importlib
import pkgutil
from collections import defaultdict
from typing import NamedTuple

import app
from app.core.errors import DomainError


class Duplicate(NamedTuple):
    """A code still defined by two classes: `to_merge` goes, its raisers import `kept`."""

    code: str
    kept: str
    to_merge: str


# Known duplicates, each to be merged; the list only shrinks. A new duplicate fails the test, and so does
# an entry whose classes were merged but which is still listed.
KNOWN_DUPLICATES: list[Duplicate] = []


def error_classes() -> set[type[DomainError]]:
    """Every error class the app defines: each module imported, then DomainError's subclasses walked."""
    for module in pkgutil.walk_packages(app.__path__, f"{app.__name__}."):
        importlib.import_module(module.name)
    found: set[type[DomainError]] = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        error = pending.pop()
        if error.__module__.startswith(f"{app.__name__}.") and error not in found:
            found.add(error)
            pending.extend(error.__subclasses__())
    return found


def codes_defined_more_than_once() -> dict[str, set[str]]:
    """The codes that more than one class defines (an inherited code defines nothing), with those classes."""
    defined_by: dict[str, set[str]] = defaultdict(set)
    for error in error_classes():
        if "code" in vars(error):
            defined_by[error.code].add(f"{error.__module__}.{error.__qualname__}")
    return {code: classes for code, classes in defined_by.items() if len(classes) > 1}


def test_every_problem_code_has_one_error_class_but_the_known_duplicates() -> None:
    allowed: dict[str, set[str]] = defaultdict(set)
    for duplicate in KNOWN_DUPLICATES:
        allowed[duplicate.code] |= {duplicate.kept, duplicate.to_merge}

    assert codes_defined_more_than_once() == allowed


def test_the_walk_finds_the_error_classes_of_every_layer() -> None:
    names = {f"{error.__module__}.{error.__qualname__}" for error in error_classes()}

    assert {
        "app.core.errors.NotFound",
        "app.core.pagination.InvalidCursor",
        "app.groups.errors.LastCoordinator",
        "app.catalogue.search.errors.PriceRangeEmpty",
        "app.trade.errors.IllegalTransition",
    } <= names
