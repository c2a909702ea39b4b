"""The problems production-plan requests can answer with; `code` is part of the API."""

from typing import Any
from uuid import UUID

from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.quantity import InvalidQuantity
from app.producers.errors import NotProducerCoordinator, ProducerGroupNotFound

# Raised through the producer groups and core quantities; named here so the router can declare them.
__all__ = [
    "DuplicatePlanItem",
    "HarvestWindowOutOfOrder",
    "HarvestWindowOutsideSeason",
    "InvalidQuantity",
    "NotProducerCoordinator",
    "PlanNotDraft",
    "PlanNotFound",
    "PlanNotPublished",
    "ProducerGroupNotFound",
    "SeasonFilterOutOfOrder",
    "SeasonOutOfOrder",
]


def field_issue(loc: list[str | int], message: str, kind: str) -> dict[str, Any]:
    """The offending field, in the shape of a validation error's `errors`."""
    return {"errors": [{"loc": ["body", *loc], "msg": message, "type": kind}]}


class PlanNotFound(NotFound):
    code = "plan-not-found"
    title = "Production plan not found"

    def __init__(self, plan_id: UUID, *, reason: str | None = None) -> None:
        # `reason` says why a plan that exists may not be named where it was, and so reads as missing.
        super().__init__(reason or f"No production plan {plan_id}.", plan_id=str(plan_id))


class PlanNotDraft(Conflict):
    code = "plan-not-draft"
    title = "Only a draft plan can be published"


class PlanNotPublished(Conflict):
    code = "plan-not-published"
    title = "The plan is not published"


class SeasonOutOfOrder(Unprocessable):
    code = "season-out-of-order"
    title = "The season ends before it starts"


class HarvestWindowOutOfOrder(Unprocessable):
    code = "harvest-window-out-of-order"
    title = "A harvest window ends before it starts"


class HarvestWindowOutsideSeason(Unprocessable):
    code = "harvest-window-outside-season"
    title = "A harvest window lies outside the season"


class DuplicatePlanItem(Unprocessable):
    code = "duplicate-plan-item"
    title = "Two items of the plan have the same crop, variety and unit"


class SeasonFilterOutOfOrder(Unprocessable):
    code = "season-filter-out-of-order"
    title = "season_from is after season_to"
