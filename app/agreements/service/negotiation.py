"""Agreements negotiated in versions (principles 1, 4, 7 and 10): proposals, counter-proposals,
amendments, acceptance and renewal.

A version is proposed by one side; only the other side accepts it, and only once that side's group's
`approval_quorum` of coordinators in office have approved. No one acts for both sides of an agreement.
Accepted terms are put in force by `lifecycle`."""

from decimal import ROUND_HALF_EVEN, Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import events, policies, repository
from app.agreements.errors import (
    AgreementNotAgreed,
    AlreadyApproved,
    AmendmentChangesDues,
    DueDateNotValid,
    DuplicateItem,
    GroupNotActive,
    ItemNotInPlan,
    NoMatchingItems,
    NothingToAccept,
    NotNegotiable,
    RenewalCurrencyDiffers,
    VersionNotCurrent,
)
from app.agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Approval,
    Side,
    VersionItem,
    VersionStatus,
)
from app.agreements.schemas import AgreementCreate, CounterProposalCreate, RenewalCreate, Terms, TermsItem
from app.agreements.service import lifecycle
from app.core import money, quantity
from app.core.errors import PriceNotPositive
from app.groups import policies as groups_policies
from app.groups import service as groups_service
from app.groups.models import MIN_ACTIVE_HOUSEHOLDS, ConsumerGroup
from app.plans.errors import PlanNotFound, PlanNotPublished
from app.plans.models import PlanItem, PlanStatus, ProductionPlan

# Proposing


async def propose(session: AsyncSession, principal: Principal, data: AgreementCreate) -> Agreement:
    """A consumer group proposes terms for items of one published plan; this is version 1."""
    group = await groups_service.get_group(session, data.consumer_group_id)
    await groups_policies.require_coordinator(session, principal, group)
    _require_active_group(group)
    plan = await _published_plan(session, data.production_plan_id)
    agreement = Agreement(
        production_plan_id=plan.id,
        consumer_group_id=group.id,
        producer_group_id=plan.producer_group_id,
        currency=plan.currency,
        status=AgreementStatus.proposed,
        current_version=1,
    )
    await policies.refuse_conflict_of_interest(session, principal, agreement, acting_for=Side.consumer, opening=True)
    session.add(agreement)
    await session.flush()
    await _add_version(session, agreement, plan, data, number=1, side=Side.consumer, principal=principal)
    await events.publish(session, agreement, "agreement.proposed")
    return agreement


async def counter_propose(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, data: CounterProposalCreate
) -> Agreement:
    """Answer the current version with other terms. Once terms are agreed, a new version is an
    amendment: it changes nothing until it is accepted the same way."""
    agreement = await policies.readable_agreement(session, principal, agreement_id, for_update=True)
    status = lifecycle.effective_status(agreement)
    if agreement.status not in (AgreementStatus.proposed, AgreementStatus.agreed) or status != agreement.status:
        raise NotNegotiable(f"The agreement is {status}; its terms can no longer change.")
    if data.version != agreement.current_version:
        raise VersionNotCurrent(
            f"Version {data.version} is not the current one ({agreement.current_version}); read the agreement again.",
            current_version=agreement.current_version,
        )
    current = await repository.get_version(session, agreement.id, agreement.current_version)
    assert current is not None
    open_proposal = current.status in (VersionStatus.open, VersionStatus.awaiting_approval)
    side = await policies.negotiating_side(
        session, principal, agreement, not_side=current.proposed_by_side if open_proposal else None
    )
    await policies.refuse_conflict_of_interest(session, principal, agreement, acting_for=side)
    group = await groups_service.get_group(session, agreement.consumer_group_id)
    _require_active_group(group)
    plan = await _published_plan(session, agreement.production_plan_id)
    is_amendment = agreement.status == AgreementStatus.agreed
    if is_amendment and agreement.subscribed_shares > 0:
        await _require_same_dues(session, plan, agreement, data)
    if open_proposal:
        current.status = VersionStatus.superseded
    agreement.current_version += 1
    await _add_version(
        session,
        agreement,
        plan,
        data,
        number=agreement.current_version,
        side=side,
        principal=principal,
        is_amendment=is_amendment,
    )
    await events.publish(session, agreement, "agreement.countered")
    return agreement


async def _require_same_dues(session: AsyncSession, plan: ProductionPlan, agreement: Agreement, data: Terms) -> None:
    total = sum(_line_total(item, _unit_of(plan, item), plan.currency) for item in data.items)
    if data.shares != agreement.shares or total != agreement.total_price_minor:
        raise AmendmentChangesDues(
            "Households have already subscribed to shares at the agreed price; an amendment may move quantities, "
            "prices between items, the due date or the distribution, but not the shares or the total."
        )


async def _add_version(
    session: AsyncSession,
    agreement: Agreement,
    plan: ProductionPlan,
    terms: Terms,
    *,
    number: int,
    side: Side,
    principal: Principal,
    is_amendment: bool = False,
) -> AgreementVersion:
    if terms.advance_due_on < lifecycle.today() or terms.advance_due_on > plan.season_ends_on:
        raise DueDateNotValid(
            f"The advance payment falls due between today and the season's end ({plan.season_ends_on})."
        )
    lines = [_version_item(plan, item, position) for position, item in enumerate(terms.items)]
    if len({line.plan_item_id for line in lines}) != len(lines):
        raise DuplicateItem("Each plan item may appear once in the terms.")
    total_price_minor = money.capped(
        sum(line.line_total_minor for line in lines),
        f"The terms add up to more than this service can store in {plan.currency}; agree on less.",
    )
    version = AgreementVersion(
        agreement_id=agreement.id,
        number=number,
        proposed_by_side=side,
        proposed_by_user_id=principal.user_id,
        is_amendment=is_amendment,
        status=VersionStatus.open,
        shares=terms.shares,
        advance_due_on=terms.advance_due_on,
        distribution_mode=terms.distribution_mode,
        total_price_minor=total_price_minor,
        note=terms.note,
        items=lines,
    )
    session.add(version)
    await session.flush()
    return version


def _unit_of(plan: ProductionPlan, item: TermsItem) -> PlanItem:
    for plan_item in plan.items:
        if plan_item.id == item.plan_item_id:
            return plan_item
    raise ItemNotInPlan(
        f"Item {item.plan_item_id} is not in plan '{plan.season_name}'.", plan_item_id=str(item.plan_item_id)
    )


def _line_total(item: TermsItem, plan_item: PlanItem, currency: str) -> int:
    """Quantity × unit price, rounded half-even to the currency's minor unit; refused above the money cap."""
    quantity_base = quantity.to_base(item.quantity, plan_item.unit)
    price_minor = money.to_minor(item.unit_price, currency)
    exact = Decimal(quantity_base * price_minor).scaleb(-quantity.UNIT_DECIMALS[plan_item.unit])
    return money.capped(
        int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)),
        f"{plan_item.crop}: {item.quantity} {plan_item.unit} at {item.unit_price} {currency} comes to more than "
        "this service can store; agree on less.",
    )


def _version_item(plan: ProductionPlan, item: TermsItem, position: int) -> VersionItem:
    plan_item = _unit_of(plan, item)
    quantity_base = quantity.to_base(item.quantity, plan_item.unit)
    if quantity_base <= 0:
        raise quantity.InvalidQuantity("Each item needs a quantity above zero.")
    unit_price_minor = money.to_minor(item.unit_price, plan.currency)
    if unit_price_minor <= 0:
        # Produce is never agreed for nothing: a price of zero is a mistake, not a gift.
        raise PriceNotPositive(f"{plan_item.crop}: the unit price must be above zero.", plan_item_id=str(plan_item.id))
    return VersionItem(
        plan_item_id=plan_item.id,
        position=position,
        quantity_base=quantity_base,
        unit_price_minor=unit_price_minor,
        line_total_minor=_line_total(item, plan_item, plan.currency),
    )


async def _published_plan(session: AsyncSession, plan_id: UUID) -> ProductionPlan:
    plan = await repository.get_plan(session, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    if plan.status != PlanStatus.published:
        raise PlanNotPublished(
            f"Plan '{plan.season_name}' is {plan.status}; only a published plan takes proposals.",
            plan_status=plan.status,
        )
    return plan


def _require_active_group(group: ConsumerGroup) -> None:
    # Principle 9: a group below 15 households signs no agreement until it is back to 15.
    if group.member_count < MIN_ACTIVE_HOUSEHOLDS:
        raise GroupNotActive(
            f"'{group.name}' has {group.member_count} households; it negotiates once it has {MIN_ACTIVE_HOUSEHOLDS}.",
            member_count=group.member_count,
        )


# Accepting (principles 4 and 7)


async def accept_version(session: AsyncSession, principal: Principal, *, agreement_id: UUID, version: int) -> Agreement:
    """Accept exactly the current version, for the side that did not propose it. The acceptance takes
    effect once the side's quorum of coordinators in office have approved this very version; until
    then it awaits approval."""
    agreement = await policies.readable_agreement(session, principal, agreement_id, for_update=True)
    if version != agreement.current_version:
        raise VersionNotCurrent(
            f"Version {version} is not the current one ({agreement.current_version}); read the agreement again.",
            current_version=agreement.current_version,
        )
    proposal = await repository.get_version(session, agreement.id, version)
    assert proposal is not None
    if proposal.status not in (VersionStatus.open, VersionStatus.awaiting_approval) or lifecycle.effective_status(
        agreement
    ) not in (AgreementStatus.proposed, AgreementStatus.agreed):
        raise NothingToAccept(f"Version {version} is {proposal.status}; nothing waits for acceptance.")
    side = await policies.negotiating_side(session, principal, agreement, not_side=proposal.proposed_by_side)
    await policies.refuse_conflict_of_interest(session, principal, agreement, acting_for=side)
    group = await groups_service.get_group(session, agreement.consumer_group_id)
    _require_active_group(group)
    if any(approval.user_id == principal.user_id for approval in proposal.approvals):
        raise AlreadyApproved(f"You approved version {version} already; another coordinator must approve too.")
    session.add(Approval(version_id=proposal.id, user_id=principal.user_id, side=side))
    await session.flush()
    # Counted under the agreement's lock, so of two coordinators giving the last approval at once, the
    # second finds the version accepted already.
    quorum = await policies.side_quorum(session, agreement, side)
    if await repository.approvals_in_office(session, proposal.id, side) < quorum:
        proposal.status = VersionStatus.awaiting_approval
        return agreement
    await lifecycle.put_in_force(session, agreement, proposal, accepted_by=principal.user_id)
    return agreement


# Steady development (principle 10)


async def renew(session: AsyncSession, principal: Principal, *, agreement_id: UUID, data: RenewalCreate) -> Agreement:
    """Propose the terms in force again, for the same crops in the producer group's next plan."""
    await policies.readable_agreement(session, principal, agreement_id)
    previous = await repository.get_with_versions(session, agreement_id)
    assert previous is not None
    if previous.agreed_version is None:
        raise AgreementNotAgreed("Only an agreement whose terms were agreed can be renewed.")
    terms = previous.versions[previous.agreed_version - 1]
    old_items = await repository.plan_items(session, [item.plan_item_id for item in terms.items])
    plan = await _published_plan(session, data.production_plan_id)
    if plan.producer_group_id != previous.producer_group_id:
        raise PlanNotFound(
            plan.id, reason="A renewal continues with the same producer group; this plan is another group's."
        )
    if plan.currency != previous.currency:
        # Prices are agreed, never converted: the same figures in another currency are another price.
        raise RenewalCurrencyDiffers(
            f"The agreement's prices are in {previous.currency} and plan '{plan.season_name}' is priced in "
            f"{plan.currency}: propose new terms for it instead.",
            agreement_currency=previous.currency,
            plan_currency=plan.currency,
        )
    items = []
    for item in terms.items:
        old = old_items[item.plan_item_id]
        match = next(
            (new for new in plan.items if (new.crop, new.variety, new.unit) == (old.crop, old.variety, old.unit)), None
        )
        if match is not None:
            items.append(
                TermsItem(
                    plan_item_id=match.id,
                    quantity=quantity.to_text(item.quantity_base, old.unit),
                    unit_price=money.to_text(item.unit_price_minor, previous.currency),
                )
            )
    if not items:
        raise NoMatchingItems(f"Plan '{plan.season_name}' grows none of the crops of the agreement.")
    renewal = await propose(
        session,
        principal,
        AgreementCreate(
            production_plan_id=plan.id,
            consumer_group_id=previous.consumer_group_id,
            shares=terms.shares,
            advance_due_on=data.advance_due_on,
            distribution_mode=terms.distribution_mode,
            items=items,
            note=f"Renewal of the agreement of {previous.created_at.date()}.",
        ),
    )
    renewal.renewed_from_id = previous.id
    await session.flush()
    return renewal
