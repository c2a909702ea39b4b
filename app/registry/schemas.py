from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StrictBool, StringConstraints

from app.core.schemas import CountryCode, Schema
from app.registry.models import PledgeStatus

ConsentTextVersion = Annotated[
    str,
    StringConstraints(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
    Field(description="The version of the consent text the member agreed to, e.g. `2026-11`.", examples=["2026-11"]),
]


class PledgeCreate(Schema):
    consent: StrictBool = Field(description="Must be true: the household consents to be counted in the registry.")
    consent_text_version: ConsentTextVersion
    country: CountryCode = Field(description="The country of one of the household's consumer groups.")


class PledgeRead(Schema):
    id: UUID
    household_id: UUID
    country: str
    consent_text_version: str
    status: PledgeStatus
    pledged_by: UUID
    pledged_at: datetime
    withdrawn_by: UUID | None
    withdrawn_at: datetime | None


class CountryPledges(Schema):
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    name: str
    pledges: int = Field(description="Households counted in this country.")


class RegistrySummary(Schema):
    """Counts only: never a household, a person or a group."""

    target: int = Field(description="The round table's target: one million socially enterprising consumers.")
    total: int = Field(description="Households counted in every country.")
    asean: list[CountryPledges] = Field(description="Each of the eleven ASEAN members, those with none included.")
    elsewhere: int = Field(description="Households counted in countries outside ASEAN.")
