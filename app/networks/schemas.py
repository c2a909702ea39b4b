"""Networks, their members and programmes, and enrolments, as clients send and read them."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, model_validator

from app.core.schemas import ASEAN_COUNTRIES, CountryCode, Day, Name, Schema, Text
from app.networks.models import CbeKind, EnrolmentStatus, NetworkKind, NetworkRole


def _asean_member(code: str) -> str:
    if code not in ASEAN_COUNTRIES:
        raise ValueError(f"'{code}' is not an ASEAN member state; leave country null for a regional network")
    return code


AseanCountry = Annotated[
    CountryCode,
    AfterValidator(_asean_member),
    Field(description="The ASEAN member the network works in (alpha-2); null for a regional network."),
]


class NetworkCreate(Schema):
    kind: NetworkKind
    name: Name
    country: AseanCountry | None = None
    description: Text = ""


class NetworkRead(Schema):
    id: UUID
    kind: NetworkKind
    name: str
    country: str | None
    description: str
    created_at: datetime


class NetworkMemberCreate(Schema):
    user_id: UUID
    role: NetworkRole = Field(
        description="`coordinator` manages the network; `analyst` reads its CBEs' indicators; `trainer` hosts "
        "learning events."
    )


class NetworkMemberUpdate(Schema):
    role: NetworkRole


class NetworkMemberRead(Schema):
    user_id: UUID
    display_name: str
    role: NetworkRole
    added_by: UUID
    created_at: datetime


class ProgrammeCreate(Schema):
    name: Name
    description: Text = ""
    starts_on: Day
    ends_on: Day | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> "ProgrammeCreate":
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class ProgrammeRead(Schema):
    id: UUID
    network_id: UUID
    name: str
    description: str
    starts_on: date
    ends_on: date | None
    created_at: datetime


class EnrolmentCreate(Schema):
    cbe_kind: CbeKind = Field(description="`consumer_group`, `producer_group` or `trading_organisation`.")
    cbe_id: UUID


class NetworkEnrolmentCreate(EnrolmentCreate):
    """An enrolment proposed through the network's own path: the programme is named in the body."""

    programme_id: UUID


class EnrolmentConsentRead(Schema):
    user_id: UUID
    consented_at: datetime
    in_office: bool = Field(description="Whether the consent counts: its coordinator decides for the CBE now.")


class EnrolmentRead(Schema):
    id: UUID
    programme_id: UUID
    programme_name: str
    network_id: UUID
    network_name: str
    cbe_kind: CbeKind
    cbe_id: UUID
    cbe_name: str
    cbe_country: str
    status: EnrolmentStatus = Field(
        description="`proposed` until the CBE's quorum consents, then `enrolled`; `declined` or `withdrawn` "
        "once either side ended it."
    )
    consents_needed: int = Field(description="The CBE's quorum as it stands now.")
    consents: list[EnrolmentConsentRead]
    proposed_by: UUID
    proposed_at: datetime
    enrolled_at: datetime | None
    withdrawn_by: UUID | None
    withdrawn_at: datetime | None
