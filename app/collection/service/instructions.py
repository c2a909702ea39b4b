"""Payment references and payment instructions: what each payer owes, by when, where to, under which
reference, and the QR code that fills all of it into a banking app."""

import io
from dataclasses import dataclass
from uuid import UUID

import segno
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import policies as agreements_policies
from app.agreements.errors import SubscriptionNotFound
from app.agreements.models import Agreement, Subscription
from app.agreements.service import lifecycle
from app.collection import references, repository
from app.collection.errors import PaymentQrUnavailable
from app.collection.models import (
    CollectionAccount,
    CollectionAccountKind,
    PayeeKind,
    PayerKind,
    PaymentReference,
    ProxyType,
)
from app.collection.models import QrScheme as Scheme
from app.collection.schemas import (
    CollectionAccountRead,
    PaymentInstructionsRead,
    PaymentParty,
    QrUnavailable,
)
from app.core import emvco, money
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.payments import service as payments

# The currency and country each scheme moves money in.
SCHEME_MONEY = {Scheme.promptpay: ("THB", "TH"), Scheme.vietqr: ("VND", "VN")}
PROMPTPAY_PROXIES = {
    ProxyType.mobile: emvco.PROMPTPAY_MOBILE,
    ProxyType.national_id: emvco.PROMPTPAY_NATIONAL_ID,
    ProxyType.e_wallet: emvco.PROMPTPAY_E_WALLET,
}
REFERENCE_ATTEMPTS = 5


# Payment references


async def reference_for(session: AsyncSession, agreement_id: UUID, payer_kind: PayerKind, payer_id: UUID) -> str:
    """The payer's reference for the agreement, made the first time it is asked for and the same ever after,
    also when two first requests race (the unique constraints decide)."""
    found = await repository.reference_of(session, agreement_id, payer_kind, payer_id)
    if found is not None:
        return found.reference
    for _ in range(REFERENCE_ATTEMPTS):
        made = PaymentReference(
            reference=references.new_reference(), agreement_id=agreement_id, payer_kind=payer_kind, payer_id=payer_id
        )
        try:
            # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
            async with session.begin_nested():
                session.add(made)
        except IntegrityError:
            # Another request made this payer's reference first, or (rarely) the random one is taken.
            found = await repository.reference_of(session, agreement_id, payer_kind, payer_id)
            if found is not None:
                return found.reference
            continue
        return made.reference
    raise RuntimeError("no free payment reference after several attempts")  # 32^8 of them: never in practice


# Payment instructions


@dataclass(frozen=True)
class _Due:
    agreement: Agreement
    subscription: Subscription | None
    payer: PaymentParty
    payee: PaymentParty
    total_minor: int
    paid_minor: int


async def subscription_instructions(
    session: AsyncSession, principal: Principal, subscription_id: UUID
) -> PaymentInstructionsRead:
    """What a household pays its group for its shares: for the household's members and the group's
    coordinators; anyone else learns nothing of the subscription."""
    subscription = await session.get(Subscription, subscription_id)
    if subscription is None:
        raise SubscriptionNotFound(subscription_id)
    agreement = await session.get(Agreement, subscription.agreement_id)
    assert agreement is not None
    if not (
        await groups_repository.user_belongs_to_household(session, principal.user_id, subscription.household_id)
        or await groups_repository.is_coordinator(session, principal.user_id, agreement.consumer_group_id)
    ):
        raise SubscriptionNotFound(subscription_id)
    due = _Due(
        agreement=agreement,
        subscription=subscription,
        payer=PaymentParty(kind=PayerKind.household, id=subscription.household_id),
        payee=PaymentParty(kind=PayeeKind.consumer_group, id=agreement.consumer_group_id),
        total_minor=subscription.amount_due_minor,
        paid_minor=await payments.paid_towards(session, subscription),
    )
    return await _instructions(session, due)


async def agreement_instructions(
    session: AsyncSession, principal: Principal, agreement_id: UUID
) -> PaymentInstructionsRead:
    """What the consumer group pays the producer group: for the consumer group's coordinators."""
    agreement = await agreements_policies.readable_agreement(session, principal, agreement_id)
    group = await groups_repository.get_group(session, agreement.consumer_group_id)
    assert group is not None
    await groups_policies.require_coordinator(session, principal, group)
    holdings = await payments.holdings(session, agreement)
    due = _Due(
        agreement=agreement,
        subscription=None,
        payer=PaymentParty(kind=PayerKind.consumer_group, id=agreement.consumer_group_id),
        payee=PaymentParty(kind=PayeeKind.producer_group, id=agreement.producer_group_id),
        total_minor=agreement.total_price_minor,
        paid_minor=holdings.received_by_producer,
    )
    return await _instructions(session, due)


async def _instructions(session: AsyncSession, due: _Due) -> PaymentInstructionsRead:
    agreement = due.agreement
    currency = agreement.currency
    status = lifecycle.effective_status(agreement)
    # A lapsed or cancelled agreement asks nothing more of anyone: what was paid went back.
    outstanding = 0 if status in payments.ENDED_WITH_REFUND else max(0, due.total_minor - due.paid_minor)
    reference = await reference_for(session, agreement.id, PayerKind(due.payer.kind), due.payer.id)
    account = await repository.default_account(session, due.payee.id)
    payload, unavailable = _qr_payload(account, currency, outstanding, reference)
    return PaymentInstructionsRead(
        agreement_id=agreement.id,
        agreement_status=status,
        subscription_id=due.subscription.id if due.subscription else None,
        payer=due.payer,
        payee=due.payee,
        currency=currency,
        total_due=money.to_text(due.total_minor, currency),
        paid=money.to_text(due.paid_minor, currency),
        amount_due=money.to_text(outstanding, currency),
        due_on=agreement.advance_due_on,
        reference=reference,
        collection_account=CollectionAccountRead.model_validate(account) if account else None,
        qr_payload=payload,
        qr_unavailable=unavailable,
    )


def _qr_payload(
    account: CollectionAccount | None, currency: str, outstanding: int, reference: str
) -> tuple[str | None, QrUnavailable | None]:
    if account is None:
        return None, QrUnavailable.no_collection_account
    if account.kind != CollectionAccountKind.qr or account.scheme is None:
        return None, QrUnavailable.not_a_qr_account
    if outstanding == 0:
        return None, QrUnavailable.nothing_due
    scheme_currency, country = SCHEME_MONEY[account.scheme]
    if currency != scheme_currency:
        return None, QrUnavailable.currency_not_carried
    assert account.proxy_type is not None and account.proxy_value is not None
    if account.scheme == Scheme.promptpay:
        merchant = emvco.promptpay(PROMPTPAY_PROXIES[account.proxy_type], account.proxy_value)
        # PromptPay apps show the reference label (05) with the transfer.
        additional = ((emvco.REFERENCE_LABEL, reference),)
    else:
        assert account.bank_bin is not None
        merchant = emvco.vietqr(account.bank_bin, account.proxy_value)
        # VietQR carries the purpose (08) into the transfer's description: the payee's statement shows it.
        additional = ((emvco.PURPOSE, reference),)
    payload = emvco.Payload(
        account=merchant,
        currency=currency,
        country=country,
        amount_minor=outstanding,
        merchant_name=account.merchant_name,
        merchant_city=account.merchant_city,
        additional=additional,
    )
    return emvco.build(payload), None


# QR images

SVG_MEDIA_TYPE = "image/svg+xml"
PNG_MEDIA_TYPE = "image/png"


def qr_image(instructions: PaymentInstructionsRead, media_type: str) -> bytes:
    """The payload drawn as a QR code: error correction M, as the national schemes ask for printed codes."""
    if instructions.qr_payload is None:
        assert instructions.qr_unavailable is not None
        raise PaymentQrUnavailable(_UNAVAILABLE[instructions.qr_unavailable], reason=instructions.qr_unavailable.value)
    return render_qr(instructions.qr_payload, media_type, title=f"Payment {instructions.reference}")


def render_qr(payload: str, media_type: str, *, title: str | None = None) -> bytes:
    code = segno.make_qr(payload, error="m", boost_error=False)
    drawn = io.BytesIO()
    if media_type == SVG_MEDIA_TYPE:
        code.save(drawn, kind="svg", scale=4, title=title)
    else:
        code.save(drawn, kind="png", scale=4)
    return drawn.getvalue()


_UNAVAILABLE = {
    QrUnavailable.no_collection_account: "The payee records no collection account yet; ask its coordinators.",
    QrUnavailable.not_a_qr_account: "The payee's default account is a bank account: pay by transfer, quoting "
    "the reference.",
    QrUnavailable.nothing_due: "Nothing is due: the amount is paid in full.",
    QrUnavailable.currency_not_carried: "The payee's QR scheme does not carry the agreement's currency: pay by "
    "transfer, quoting the reference.",
}
