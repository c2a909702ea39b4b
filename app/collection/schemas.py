"""Collection accounts as coordinators record them, and the payment instructions payers read."""

import enum
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from app.agreements.models import AgreementStatus
from app.collection.models import (
    CollectionAccountKind,
    CollectionAccountStatus,
    PayeeKind,
    PayerKind,
    ProposalKind,
    ProxyType,
    QrScheme,
)
from app.core.schemas import Name, Schema

AccountNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=34, pattern=r"^[A-Za-z0-9 -]+$"),
    Field(description="As the bank writes it; spaces and dashes are kept.", examples=["123-4-56789-0"]),
]
SwiftBic = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$"),
    Field(description="SWIFT/BIC, 8 or 11 characters.", examples=["KASITHBK"]),
]
QrText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[ -~]+$")]


Label = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(description="What the coordinators call the account; no payment depends on it.", examples=["Treasurer"]),
]


class CollectionAccountCreate(Schema):
    """A bank account (`bank_name`, `account_holder`, `account_number`, optional `swift_bic`), or a national
    QR scheme's identifier (`scheme`, `proxy_type`, `proxy_value`; for VietQR the bank's `bank_bin`).
    Proposed until the group's quorum of coordinators has approved it."""

    kind: CollectionAccountKind
    default: bool = Field(
        default=False,
        description="Named in payment instructions once approved; proposed so anyway while the group has no "
        "default account.",
    )
    label: Label | None = None
    bank_name: Name | None = None
    account_holder: Name | None = None
    account_number: AccountNumber | None = None
    swift_bic: SwiftBic | None = None
    scheme: QrScheme | None = None
    proxy_type: ProxyType | None = Field(
        default=None,
        description="PromptPay: mobile (0812345678), national_id (13 digits, a tax id too) or e_wallet (15 "
        "digits). VietQR: bank_account.",
    )
    proxy_value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=34)] | None = None
    bank_bin: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")] | None = Field(
        default=None, description="VietQR: the bank's six-digit NAPAS BIN.", examples=["970436"]
    )
    merchant_name: Annotated[QrText, StringConstraints(max_length=25)] | None = Field(
        default=None, description="Shown by the payer's app; ASCII, at most 25 characters."
    )
    merchant_city: Annotated[QrText, StringConstraints(max_length=15)] | None = Field(
        default=None, description="ASCII, at most 15 characters."
    )


class CollectionAccountUpdate(Schema):
    """Only the label changes. Payment details never do: a changed account is a new one, proposed to the
    group's quorum, and the old one retired."""

    label: Label | None


class CollectionAccountApprovalRead(Schema):
    user_id: UUID
    approved_at: datetime
    in_office: bool = Field(description="Only the approvals of coordinators in office now count.")


class CollectionAccountProposalRead(Schema):
    kind: ProposalKind = Field(
        description="`add_account`: the account itself (the default too with `makes_default`); `make_default`."
    )
    makes_default: bool
    proposed_by: UUID
    proposed_at: datetime
    approvals: list[CollectionAccountApprovalRead]
    approvals_counted: int = Field(description="Approvals of coordinators in office.")
    approval_quorum: int = Field(description="The approvals that carry it: the group's quorum as it stands now.")


class CollectionAccountRead(Schema):
    id: UUID
    payee_kind: PayeeKind
    payee_id: UUID
    kind: CollectionAccountKind
    status: CollectionAccountStatus = Field(
        description="`proposed` until the group's quorum approves it; only an `active` account is paid into."
    )
    default: bool = Field(validation_alias="is_default")
    label: str | None
    bank_name: str | None
    account_holder: str | None
    account_number: str | None
    swift_bic: str | None
    scheme: QrScheme | None
    proxy_type: ProxyType | None
    proxy_value: str | None = Field(description="Normalised: a PromptPay mobile number as 0066 and nine digits.")
    bank_bin: str | None
    merchant_name: str | None
    merchant_city: str | None
    created_at: datetime
    activated_at: datetime | None
    retired_at: datetime | None
    proposal: CollectionAccountProposalRead | None = Field(
        default=None, description="The change awaiting the group's approval, if any."
    )


class QrUnavailable(enum.StrEnum):
    no_collection_account = "no_collection_account"
    not_a_qr_account = "not_a_qr_account"  # the default account is a bank account: pay by transfer
    nothing_due = "nothing_due"
    currency_not_carried = "currency_not_carried"  # the scheme moves another currency than the agreement's


class PaymentParty(Schema):
    kind: PayerKind | PayeeKind
    id: UUID


class PaymentInstructionsRead(Schema):
    agreement_id: UUID
    agreement_status: AgreementStatus
    subscription_id: UUID | None = Field(description="For a household's shares; null for the group's payment.")
    payer: PaymentParty
    payee: PaymentParty
    currency: str
    total_due: str = Field(description="What the payer owes in all, in the currency's minor unit.")
    paid: str
    amount_due: str = Field(description="What is left to pay now; never negative, 0 once paid in full.")
    due_on: date | None = Field(description="When the advance payment is due; null while the agreement names no date.")
    reference: str = Field(
        description="Quote it with the payment: it names this payer and agreement. Its last character checks "
        "the others.",
        examples=["TK7M2Q9XKD4"],
    )
    collection_account: CollectionAccountRead | None = Field(description="The payee's default account, if any.")
    qr_payload: str | None = Field(
        max_length=512,
        description="EMVCo merchant-presented QR payload with amount and reference; null when none can be made.",
    )
    qr_unavailable: QrUnavailable | None = Field(description="Why there is no QR payload; null when there is one.")
