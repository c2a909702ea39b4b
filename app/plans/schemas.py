from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from app.core.money import CurrencyCode
from app.core.quantity import QuantityText, Unit
from app.core.schemas import Day, Name, Schema
from app.plans.models import PlanStatus

MAX_PLAN_ITEMS = 100
CropName = Annotated[Name, Field(max_length=100)]


class PlanItemCreate(Schema):
    crop: CropName = Field(examples=["Jasmine rice"])
    variety: CropName | None = Field(default=None, examples=["Hom Mali 105"])
    unit: Unit
    max_quantity: QuantityText = Field(description="The most the farms can grow, more than 0; in `unit`.")
    harvest_from: Day
    harvest_to: Day = Field(description="Last day of the harvest window, inside the season.")


class PlanCreate(Schema):
    season_name: Name = Field(examples=["Main rice season 2027"])
    season_starts_on: Day
    season_ends_on: Day
    currency: CurrencyCode = Field(description="The currency in which agreements on this plan are priced.")
    items: list[PlanItemCreate] = Field(
        min_length=1,
        max_length=MAX_PLAN_ITEMS,
        description="1 to 100 items; no two with the same crop, variety and unit.",
    )


class PlanItemRead(Schema):
    id: UUID
    crop: str
    variety: str | None
    unit: Unit
    max_quantity: str = Field(examples=["1200.000"])
    committed_quantity: str = Field(description="Taken by agreed agreements.", examples=["450.500"])
    remaining_quantity: str = Field(description="What agreements may still take.", examples=["749.500"])
    harvest_from: date
    harvest_to: date


class PlanRead(Schema):
    id: UUID
    producer_group_id: UUID
    producer_group_name: str
    country: str
    region: str
    season_name: str
    season_starts_on: date
    season_ends_on: date
    currency: str
    status: PlanStatus = Field(description="`draft` (seen by the producer group only) → `published` → `closed`.")
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    items: list[PlanItemRead]
