from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AliasChoices, Field, StrictInt

from app.core.schemas import CountryCode, Name, Schema
from app.groups.models import LegalForm


class ProducerGroupCreate(Schema):
    name: Name
    legal_form: LegalForm
    country: CountryCode
    region: Name


class ProducerGroupUpdate(Schema):
    approval_quorum: Annotated[StrictInt | None, Field(ge=1, le=150)] = Field(
        default=None,
        description="Coordinators whose approval accepts an agreement; at most the coordinator count. "
        "Raising it, or clearing it to the default rule when that does not lower it, is direct; lowering it "
        "needs a motion.",
    )


class ProducerGroupRead(Schema):
    id: UUID
    name: str
    legal_form: LegalForm
    country: str
    region: str
    member_count: int = Field(description="Farming households that belong to the group.")
    coordinator_count: int
    approval_quorum: int = Field(
        # Read from a group's effective quorum, or from this representation itself (to compare ETags).
        validation_alias=AliasChoices("effective_approval_quorum", "approval_quorum"),
        description="Coordinators in office whose approval accepts an agreement for the group.",
    )
    created_at: datetime


class FarmingHouseholdCreate(Schema):
    household_id: UUID


class FarmingHouseholdRead(Schema):
    producer_group_id: UUID
    household_id: UUID
    household_name: str
    created_at: datetime


class ProducerCoordinatorCreate(Schema):
    user_id: UUID


class ProducerCoordinatorRead(Schema):
    producer_group_id: UUID
    user_id: UUID
    display_name: str
    appointed_by: UUID | None
    appointed_at: datetime
    ended_by: UUID | None
    ended_at: datetime | None


class CertificationCreate(Schema):
    scheme: Annotated[
        Name, Field(max_length=100, description="Free text: organic, PGS, WFTO Guaranteed Fair Trade, Fairtrade, ...")
    ]
    issuer: Name
    number: Annotated[Name, Field(max_length=100)]
    expires_on: date = Field(description="Last day of validity; a certificate already expired is kept as history.")


class CertificationRead(Schema):
    id: UUID
    producer_group_id: UUID
    scheme: str
    issuer: str
    number: str
    expires_on: date
    expired: bool = Field(description="True once `expires_on` is before today's date in UTC.")
    created_at: datetime
