from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, StrictInt

from app.agreements.models import AgreementStatus, DistributionMode, Side, TransferStatus, VersionStatus
from app.core.money import AmountText
from app.core.quantity import QuantityText, Unit
from app.core.schemas import Day, Schema, Text, not_blank

Shares = Annotated[StrictInt, Field(ge=1, le=10_000, description="Number of shares the total is divided into.")]
MessageBody = Annotated[Text, AfterValidator(not_blank), Field(min_length=1)]


class TermsItem(Schema):
    plan_item_id: UUID
    quantity: QuantityText
    unit_price: AmountText = Field(description="Price of one unit (one kg, one piece) in the plan's currency.")


class Terms(Schema):
    shares: Shares
    advance_due_on: Day = Field(description="The producer group must be paid in full by this day.")
    distribution_mode: DistributionMode
    items: Annotated[list[TermsItem], Field(min_length=1, max_length=100)]
    note: Text | None = None


class AgreementCreate(Terms):
    production_plan_id: UUID
    consumer_group_id: UUID


class CounterProposalCreate(Terms):
    version: StrictInt = Field(
        ge=1, le=1_000_000, description="The current version you answer; refused if it is no longer current."
    )


class AcceptanceCreate(Schema):
    version: StrictInt = Field(ge=1, le=1_000_000)


class RenewalCreate(Schema):
    production_plan_id: UUID
    advance_due_on: Day


class VersionItemRead(Schema):
    plan_item_id: UUID
    crop: str
    variety: str | None
    unit: Unit
    quantity: str
    unit_price: str
    line_total: str


class ApprovalRead(Schema):
    user_id: UUID
    display_name: str
    side: Side
    created_at: datetime
    approved_at: datetime
    in_office: bool = Field(
        description="Whether the approver still coordinates the side's group; an approval counts towards the "
        "quorum only while they do."
    )


class VersionRead(Schema):
    number: int
    proposed_by_side: Side
    proposed_by_user_id: UUID
    is_amendment: bool
    status: VersionStatus
    shares: int
    advance_due_on: date
    distribution_mode: DistributionMode
    total_price: str
    currency: str
    note: str | None
    created_at: datetime
    accepted_at: datetime | None
    items: list[VersionItemRead]
    approvals: list[ApprovalRead]


class AgreementRead(Schema):
    id: UUID
    production_plan_id: UUID
    consumer_group_id: UUID
    producer_group_id: UUID
    status: AgreementStatus = Field(
        description="An agreed agreement past its due date without full payment reads lapsed; an active one "
        "reads completed from the day after the season's end plus the 60 days harvests may still be delivered."
    )
    version: int = Field(description="The current (latest) version.")
    agreed_version: int | None
    currency: str
    total_price: str | None = Field(description="Total of the terms in force.")
    shares: int | None
    subscribed_shares: int
    advance_due_on: date | None
    approval_quorum: int = Field(description="Consumer-group coordinators whose approval accepts a version.")
    producer_approval_quorum: int = Field(description="Producer-group coordinators whose approval accepts a version.")
    renewed_from_id: UUID | None
    created_at: datetime
    agreed_at: datetime | None
    activated_at: datetime | None
    versions: list[VersionRead]


class AgreementSummary(Schema):
    id: UUID
    production_plan_id: UUID
    consumer_group_id: UUID
    producer_group_id: UUID
    status: AgreementStatus
    version: int
    agreed_version: int | None
    renewed_from_id: UUID | None
    created_at: datetime


class SubscriptionCreate(Schema):
    household_id: UUID
    shares: Shares


class SubscriptionRead(Schema):
    id: UUID
    agreement_id: UUID
    household_id: UUID
    shares: int
    amount_due: str
    currency: str
    created_at: datetime


class SubscriptionTransferCreate(Schema):
    household_id: UUID = Field(description="The member household of the same consumer group offered the subscription.")


class SubscriptionTransferRead(Schema):
    id: UUID
    subscription_id: UUID
    from_household_id: UUID
    to_household_id: UUID
    status: TransferStatus
    offered_at: datetime
    accepted_at: datetime | None
    withdrawn_at: datetime | None


class SubscriptionTransferAccepted(SubscriptionTransferRead):
    subscription: SubscriptionRead = Field(description="The subscription, now held by the receiving household.")
    payments_moved: bool = Field(
        description="Always false: what the offering household paid stays recorded as its payment. "
        "The two households settle between themselves, outside the service."
    )


class AgreementMessageCreate(Schema):
    body: MessageBody


class AgreementMessageRead(Schema):
    id: UUID
    agreement_id: UUID
    author_user_id: UUID
    author_display_name: str
    side: Side = Field(description="The group the author wrote for; a user in both groups writes as the consumer side.")
    body: str
    created_at: datetime
