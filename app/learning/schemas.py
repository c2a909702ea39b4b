from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, StrictInt, StringConstraints, model_validator

from app.core.schemas import CountryCode, Moment, Name, Schema, Text

LanguageTag = Annotated[
    str,
    StringConstraints(min_length=2, max_length=35, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$"),
    Field(description="The language it is held in, as a BCP 47 tag: th, vi, en, fil, …", examples=["th"]),
]


class LearningEventCreate(Schema):
    title: Name
    description: Text = ""
    starts_at: Moment
    ends_at: Moment
    online: StrictBool = False
    location: Name | None = Field(default=None, description="Where it takes place; required unless online.")
    country: CountryCode | None = Field(default=None, description="Where it takes place; required unless online.")
    language: LanguageTag
    capacity: Annotated[StrictInt | None, Field(ge=1, le=100_000)] = Field(
        default=None, description="Most people who may sign up; none for no limit."
    )
    network_id: UUID | None = Field(
        default=None,
        description="The hosting network, of which you are a coordinator or trainer. Leave it out to host in "
        "your own name, as a trainer of a network.",
    )

    @model_validator(mode="after")
    def ends_after_it_starts(self) -> "LearningEventCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    @model_validator(mode="after")
    def located_unless_online(self) -> "LearningEventCreate":
        if not self.online and (self.location is None or self.country is None):
            raise ValueError("an event that is not online needs a location and a country")
        return self


class LearningEventHostRead(Schema):
    network_id: UUID | None = Field(description="The hosting network, when a network hosts it.")
    trainer_id: UUID | None = Field(description="The trainer hosting in their own name, when one does.")
    name: str


class LearningEventRead(Schema):
    id: UUID
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    online: bool
    location: str | None
    country: str | None
    language: str
    host: LearningEventHostRead
    capacity: int | None
    signup_count: int
    places_left: int | None = Field(description="Places still free; null when the event has no capacity.")
    created_at: datetime


class LearningSignupCreate(Schema):
    household_id: UUID | None = Field(default=None, description="One of your households you come for, if any.")


class LearningSignupRead(Schema):
    id: UUID
    learning_event_id: UUID
    user_id: UUID
    display_name: str
    household_id: UUID | None
    attended: bool | None = Field(description="Recorded by the host once the event started; null until then.")
    attendance_recorded_at: datetime | None
    created_at: datetime


class AttendanceUpdate(Schema):
    attended: StrictBool
