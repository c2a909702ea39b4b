import enum
from datetime import datetime
from uuid import UUID

from pydantic import Field

from app.agreements.models import AgreementStatus, CancellationStatus, Side
from app.core.money import AmountText, CurrencyCode
from app.core.schemas import Schema


class CancellationCreate(Schema):
    refund_amount: AmountText = Field(
        description="What the producer group gives back: from 0 up to what it received and has not delivered."
    )
    currency: CurrencyCode


class CancellationApprovalRead(Schema):
    user_id: UUID
    display_name: str
    side: Side
    created_at: datetime
    in_office: bool = Field(
        description="Whether the approver still coordinates the side's group; an approval counts towards the "
        "quorum only while they do."
    )


class Payer(enum.StrEnum):
    household = "household"
    group = "group"  # the consumer group, for what it paid from its own money


class PayerRefundRead(Schema):
    payer: Payer
    household_id: UUID | None = Field(description="The household refunded; null when the group is.")
    amount: str


class CancellationRead(Schema):
    id: UUID
    agreement_id: UUID
    agreement_status: AgreementStatus
    status: CancellationStatus
    proposed_by_side: Side
    proposed_by_user_id: UUID
    currency: str
    refund_amount: str = Field(description="What the producer group gives back.")
    pool: str | None = Field(
        description="What goes back to the payers: the refund and all the consumer group still holds for the "
        "agreement. Once carried, what went back; while open, what would go back if it were carried now; "
        "null once superseded."
    )
    created_at: datetime
    carried_at: datetime | None
    approvals: list[CancellationApprovalRead]
    refunds: list[PayerRefundRead] = Field(
        description="Once carried, what each payer got back, in proportion to what each paid."
    )
