from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt, model_validator

from app.core.schemas import Moment, Name, Schema, Text
from app.gatherings.models import GatheringKind


class GatheringHostCreate(Schema):
    """The hosting group: exactly one of the two ids."""

    consumer_group_id: UUID | None = None
    producer_group_id: UUID | None = None

    @model_validator(mode="after")
    def exactly_one_group(self) -> "GatheringHostCreate":
        if (self.consumer_group_id is None) == (self.producer_group_id is None):
            raise ValueError("give exactly one of consumer_group_id and producer_group_id")
        return self

    @property
    def group_id(self) -> UUID:
        group_id = self.consumer_group_id or self.producer_group_id
        assert group_id is not None
        return group_id


class GatheringCreate(Schema):
    kind: GatheringKind
    title: Name
    description: Text = ""
    starts_at: Moment
    ends_at: Moment
    location: Name
    host: GatheringHostCreate
    capacity: Annotated[StrictInt | None, Field(ge=1, le=100_000)] = Field(
        default=None, description="Most people who may sign up; none for no limit."
    )
    open_to_all: StrictBool | None = Field(
        default=None,
        description="Whether users outside the host group see it and may sign up. "
        "Default: true for `learning` (the shared training calendar), false otherwise.",
    )

    @model_validator(mode="after")
    def ends_after_it_starts(self) -> "GatheringCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class GatheringHostRead(Schema):
    consumer_group_id: UUID | None
    producer_group_id: UUID | None
    name: str
    country: str


class GatheringRead(Schema):
    id: UUID
    kind: GatheringKind
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    host: GatheringHostRead
    capacity: int | None
    open_to_all: bool
    signup_count: int
    places_left: int | None = Field(description="Places still free; null when the event has no capacity.")
    signed_up: bool = Field(description="Whether you are signed up.")
    posted_by: UUID
    created_at: datetime


class GatheringSignupCreate(Schema):
    household_id: UUID | None = Field(default=None, description="One of your households you come for, if any.")


class GatheringSignupRead(Schema):
    event_id: UUID = Field(validation_alias="gathering_id")
    user_id: UUID
    display_name: str
    household_id: UUID | None
    household_name: str | None
    created_at: datetime
