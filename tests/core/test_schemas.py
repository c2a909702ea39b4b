"""Shared field types: names with something visible in them, and moments that exist in UTC."""

import enum
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, get_args

import pytest
from httpx import AsyncClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import app.api  # noqa: F401  (imports every domain's schemas)
from app.core.config import Settings
from app.core.schemas import Moment, Name, PaymentMethod, Schema
from app.groups.models import Household
from tests.factories import auth_headers, create_user

INVISIBLE = [
    " ",
    "\t\n",
    "\u00a0",  # no-break space (Zs)
    "\u3000",  # ideographic space (Zs)
    "\u200b",  # zero-width space (Cf)
    "\u200c",  # zero-width non-joiner (Cf)
    "\u200d",  # zero-width joiner (Cf)
    "\u2060",  # word joiner (Cf)
    "\ufeff",  # byte-order mark (Cf)
    "\u202e",  # right-to-left override (Cf)
    "\u0085",  # next line (Cc)
    "\u2028",  # line separator (Zl)
    "\u3164",  # Hangul filler: a letter that renders blank
    "\u2800",  # blank Braille pattern
    "\u034f\ufe0f",  # combining grapheme joiner and a variation selector: marks with nothing to mark
    " \u200b\ufeff\u2060 ",
]
name = TypeAdapter(Name)


@pytest.mark.parametrize("value", INVISIBLE, ids=lambda value: "+".join(f"U+{ord(c):04X}" for c in value))
def test_a_name_of_invisible_characters_only_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        name.validate_python(value)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Mae Taeng", "Mae Taeng"),
        ("\u200b Mae Taeng\ufeff ", "Mae Taeng"),
        ("Ban\u200bNa", "Ban\u200bNa"),  # inside a name a zero-width character stays as written
        ("ข้าวหอมมะลิ", "ข้าวหอมมะลิ"),  # Thai with combining vowels and tone marks
        ("Ca\u0300 phe\u0302\u200b", "Ca\u0300 phe\u0302"),  # a combining accent at the end stays
        ("🌾", "🌾"),
    ],
)
def test_a_name_keeps_its_visible_characters_and_loses_invisible_ends(value: str, kept: str) -> None:
    assert name.validate_python(value) == kept


# The fields of request bodies and queries that name or title something.
NAME_FIELDS = {
    "name",
    "display_name",
    "title",
    "location",
    "region",
    "origin_region",
    "season_name",
    "crop",
    "variety",
    "scheme",
    "issuer",
    "number",
    "source",
    "address",
}


def _subclasses(cls: type[Schema]) -> Iterator[type[Schema]]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def name_fields() -> list[tuple[str, str]]:
    requests = {cls for cls in _subclasses(Schema) if cls.__name__.endswith(("Create", "Update"))}
    return sorted(
        (cls.__name__, field)
        for cls in requests
        for field, info in cls.model_fields.items()
        if field in NAME_FIELDS and not _is_a_choice(info.annotation)
    )


def _is_a_choice(annotation: Any) -> bool:
    """A field chosen from a fixed list (a QR `scheme`) names nothing freely: no invisible text can pass it."""
    return any(isinstance(part, type) and issubclass(part, enum.Enum) for part in (annotation, *get_args(annotation)))


REQUESTS = {cls.__name__: cls for cls in _subclasses(Schema)}


def field_type(schema: str, field: str) -> TypeAdapter[Any]:
    return TypeAdapter(REQUESTS[schema].model_fields[field].rebuild_annotation())


def test_the_name_fields_are_found() -> None:
    found = name_fields()

    assert {("HouseholdCreate", "name"), ("PlanItemCreate", "crop"), ("GatheringCreate", "title")} <= set(found)


@pytest.mark.parametrize(("schema", "field"), name_fields())
def test_every_name_field_refuses_invisible_characters_only(schema: str, field: str) -> None:
    adapter = field_type(schema, field)

    for value in ("\u200b\u2060", "\ufeff", " \u3000 "):
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
    assert adapter.validate_python("Chiang Mai") == "Chiang Mai"


async def test_a_household_named_with_zero_width_characters_is_refused_and_not_stored(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    user = await create_user(session)
    before = await session.scalar(select(func.count()).select_from(Household))

    response = await client.post(
        "/v1/households", json={"name": "\u200b\u200c\u200d\u2060\ufeff"}, headers=auth_headers(settings, user.id)
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation-failed"
    assert response.json()["errors"][0]["loc"] == ["body", "name"]
    assert await session.scalar(select(func.count()).select_from(Household)) == before


# Moments

moment = TypeAdapter(Moment)


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2027-03-06T09:00:00", "2027-03-06"]
)
def test_a_moment_without_a_utc_equivalent_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        moment.validate_python(value)


def test_a_moment_is_read_in_utc() -> None:
    assert moment.validate_python("2027-03-06T09:00:00+07:00") == datetime(2027, 3, 6, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["", " ", "\u200b", "\u3000\u200d", "\ufeff"])
def test_a_payment_method_showing_nothing_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(PaymentMethod).validate_python(value)


def test_a_payment_method_is_kept_as_written() -> None:
    assert TypeAdapter(PaymentMethod).validate_python("bank_transfer") == "bank_transfer"
