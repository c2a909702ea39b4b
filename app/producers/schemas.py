from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from app.core.schemas import CountryCode, Name, Schema
from app.groups.models import LegalForm


class ProducerGroupCreate(Schema):
    name: Name
    legal_form: LegalForm
    country: CountryCode
    region: Name


class ProducerGroupRead(Schema):
    id: UUID
    name: str
    legal_form: LegalForm
    country: str
    region: str
    member_count: int = Field(description="Farming households that belong to the group.")
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
