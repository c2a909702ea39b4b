from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, model_validator

from app.core.quantity import QuantityText, Unit
from app.core.schemas import Day, Schema, Text
from app.harvests.models import SurplusUse

Quantity = Annotated[str, Field(description='Decimal string in the item\'s unit, e.g. "3.000" kg.')]


class HarvestLineCreate(Schema):
    plan_item_id: UUID = Field(description="An item of the agreed version of the agreement.")
    quantity: QuantityText


class HarvestCreate(Schema):
    delivered_on: Day = Field(
        description="The day of delivery: within the season of the agreement's plan or up to 60 days after it, "
        "and at most one day after today's UTC date."
    )
    pickup_station_id: UUID = Field(description="One of the consumer group's pickup stations.")
    carried_by_user_id: UUID | None = Field(
        default=None,
        description="Who carries it (principle 6: never a professional transporter): a user of a member household "
        "or a coordinator of either group. Defaults to you.",
    )
    lines: Annotated[list[HarvestLineCreate], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def one_line_per_item(self) -> "HarvestCreate":
        plan_item_ids = [line.plan_item_id for line in self.lines]
        if len(set(plan_item_ids)) != len(plan_item_ids):
            raise ValueError("each plan item may appear in one line only")
        return self


class HarvestLineRead(Schema):
    plan_item_id: UUID
    crop: str
    variety: str | None
    unit: Unit
    quantity: Quantity


class AllocationRead(Schema):
    household_id: UUID = Field(description="The household that picks it up.")
    share_holder_id: UUID = Field(description="The household whose shares it is; differs when handed over.")
    plan_item_id: UUID
    unit: Unit
    quantity: Quantity


class SurplusRead(Schema):
    id: UUID
    harvest_id: UUID
    plan_item_id: UUID
    unit: Unit
    quantity: Quantity
    handed_over_by_id: UUID | None = Field(
        description="The household that handed its allocation to the group; null for unsubscribed shares."
    )
    use: SurplusUse
    note: str | None
    decided_by_user_id: UUID | None
    decided_at: datetime | None


class HarvestRead(Schema):
    id: UUID
    agreement_id: UUID
    delivered_on: date
    pickup_station_id: UUID
    carried_by_user_id: UUID
    recorded_by_user_id: UUID
    created_at: datetime
    lines: list[HarvestLineRead]
    allocations: list[AllocationRead]
    surplus: list[SurplusRead]


class HarvestSummary(Schema):
    id: UUID
    agreement_id: UUID
    delivered_on: date
    pickup_station_id: UUID
    carried_by_user_id: UUID
    created_at: datetime


class SurplusUpdate(Schema):
    use: Literal[SurplusUse.stored, SurplusUse.sold, SurplusUse.given] = Field(
        description="What the group did with it. `stored` may later become `sold` or `given`; those are final."
    )
    note: Annotated[Text, Field(max_length=500)] | None = None


class AbsenceCreate(Schema):
    household_id: UUID = Field(description="Your household, holding shares of the agreement.")
    on_date: Day = Field(
        description="The pickup date you will be away: after today's UTC date, on a day harvests of the agreement "
        "may bear (its plan's season and the 60 days after it)."
    )
    to_household_id: UUID | None = Field(
        description="A member household of the consumer group that takes your allocation; null hands it to the "
        "group's surplus."
    )


class AbsenceRead(Schema):
    id: UUID
    agreement_id: UUID
    household_id: UUID
    on_date: date
    to_household_id: UUID | None
    created_at: datetime


class PickupItem(Schema):
    crop: str
    variety: str | None
    unit: Unit
    quantity: Quantity


class PickupHousehold(Schema):
    household_id: UUID
    household_name: str
    items: list[PickupItem]


class PickupStationSummary(Schema):
    id: UUID
    group_id: UUID
    name: str
    address: str


class PickupListRead(Schema):
    station: PickupStationSummary
    date: date
    households: list[PickupHousehold] = Field(description="By household name, each household's items by crop.")
    surplus: list[PickupItem] = Field(description="What stays with the group at the station that day, by crop.")
