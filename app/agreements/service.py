"""Agreements negotiated in versions (principles 1, 4, 7, 10) and households' subscriptions.

A version is proposed by one side; only the other side accepts it, and on the consumer side only
once `approval_quorum` coordinators have approved. Plan capacity is taken when terms are agreed."""

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import policies, repository
from app.agreements.errors import (
    AgreementNotAgreed,
    AlreadyApproved,
    AlreadySubscribed,
    AmendmentChangesDues,
    CapacityExceeded,
    DueDateNotValid,
    DuplicateItem,
    GroupNotActive,
    ItemNotInPlan,
    NoMatchingItems,
    NotAGroupHousehold,
    NotEnoughShares,
    NothingToAccept,
    NotNegotiable,
    PlanNotFound,
    PlanNotPublished,
    PriceNotPositive,
    VersionNotCurrent,
)
from app.agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Approval,
    Side,
    Subscription,
    VersionItem,
    VersionStatus,
)
from app.agreements.schemas import (
    AgreementCreate,
    AgreementRead,
    ApprovalRead,
    CounterProposalCreate,
    RenewalCreate,
    SubscriptionRead,
    Terms,
    TermsItem,
    VersionItemRead,
    VersionRead,
)
from app.core import money, quantity
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.core.schemas import Page
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.groups import service as groups_service
from app.groups.models import MIN_ACTIVE_HOUSEHOLDS, ConsumerGroup
from app.plans.models import PlanItem, PlanStatus, ProductionPlan


def today() -> date:
    return datetime.now(UTC).date()


def effective_status(agreement: Agreement) -> AgreementStatus:
    """An agreed agreement not fully paid by its due date is lapsed, even before the lapse job runs."""
    overdue = agreement.advance_due_on is not None and agreement.advance_due_on < today()
    if agreement.status == AgreementStatus.agreed and overdue:
        return AgreementStatus.lapsed
    return agreement.status


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
    session.add(agreement)
    await session.flush()
    await _add_version(session, agreement, plan, data, number=1, side=Side.consumer, principal=principal)
    return agreement


async def counter_propose(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, data: CounterProposalCreate
) -> Agreement:
    """Answer the current version with other terms. Once terms are agreed, a new version is an
    amendment: it changes nothing until it is accepted the same way."""
    await policies.readable_agreement(session, principal, agreement_id)
    agreement = await _locked(session, agreement_id)
    if (
        agreement.status not in (AgreementStatus.proposed, AgreementStatus.agreed)
        or effective_status(agreement) != agreement.status
    ):
        raise NotNegotiable(f"The agreement is {effective_status(agreement)}; its terms can no longer change.")
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
    if terms.advance_due_on < today() or terms.advance_due_on > plan.season_ends_on:
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
        raise PlanNotFound(f"No production plan {plan_id}.", production_plan_id=str(plan_id))
    if plan.status != PlanStatus.published:
        raise PlanNotPublished(f"Plan '{plan.season_name}' is {plan.status}; only a published plan takes proposals.")
    return plan


def _require_active_group(group: ConsumerGroup) -> None:
    # Principle 9: a group below 15 households signs no agreement until it is back to 15.
    if group.member_count < MIN_ACTIVE_HOUSEHOLDS:
        raise GroupNotActive(
            f"'{group.name}' has {group.member_count} households; it negotiates once it has {MIN_ACTIVE_HOUSEHOLDS}.",
            member_count=group.member_count,
        )


async def _locked(session: AsyncSession, agreement_id: UUID) -> Agreement:
    agreement = await repository.get_for_update(session, agreement_id)
    assert agreement is not None  # readable_agreement found it first
    return agreement


# Accepting (principles 4 and 7)


async def accept_version(session: AsyncSession, principal: Principal, *, agreement_id: UUID, version: int) -> Agreement:
    """Accept exactly the current version, for the side that did not propose it. On the consumer
    side the acceptance takes effect once `approval_quorum` coordinators have approved."""
    await policies.readable_agreement(session, principal, agreement_id)
    agreement = await _locked(session, agreement_id)
    if version != agreement.current_version:
        raise VersionNotCurrent(
            f"Version {version} is not the current one ({agreement.current_version}); read the agreement again.",
            current_version=agreement.current_version,
        )
    proposal = await repository.get_version(session, agreement.id, version)
    assert proposal is not None
    if proposal.status not in (VersionStatus.open, VersionStatus.awaiting_approval) or effective_status(
        agreement
    ) not in (AgreementStatus.proposed, AgreementStatus.agreed):
        raise NothingToAccept(f"Version {version} is {proposal.status}; nothing waits for acceptance.")
    side = await policies.negotiating_side(session, principal, agreement, not_side=proposal.proposed_by_side)
    group = await groups_service.get_group(session, agreement.consumer_group_id)
    _require_active_group(group)
    if side == Side.consumer:
        if any(approval.user_id == principal.user_id for approval in proposal.approvals):
            raise AlreadyApproved(f"You approved version {version} already; another coordinator must approve too.")
        session.add(Approval(version_id=proposal.id, user_id=principal.user_id, side=side))
        await session.flush()
        if len(proposal.approvals) + 1 < group.effective_approval_quorum:
            proposal.status = VersionStatus.awaiting_approval
            return agreement
    else:
        session.add(Approval(version_id=proposal.id, user_id=principal.user_id, side=side))
    await _put_in_force(session, agreement, proposal, accepted_by=principal.user_id)
    return agreement


async def _put_in_force(
    session: AsyncSession, agreement: Agreement, proposal: AgreementVersion, *, accepted_by: UUID
) -> None:
    previous = (
        await repository.get_version(session, agreement.id, agreement.agreed_version)
        if agreement.agreed_version
        else None
    )
    await _take_capacity(session, previous, proposal)
    if previous is not None:
        previous.status = VersionStatus.superseded
    proposal.status = VersionStatus.accepted
    proposal.accepted_at = utc_now()
    proposal.accepted_by_user_id = accepted_by
    agreement.status = AgreementStatus.agreed
    agreement.agreed_version = proposal.number
    agreement.shares = proposal.shares
    agreement.total_price_minor = proposal.total_price_minor
    agreement.advance_due_on = proposal.advance_due_on
    agreement.agreed_at = agreement.agreed_at or utc_now()
    await session.flush()


async def _take_capacity(session: AsyncSession, previous: AgreementVersion | None, proposal: AgreementVersion) -> None:
    """Principle 2: all agreed quantities of a plan item together never exceed what the farms can grow.
    The items are locked, so concurrent acceptances queue; a CHECK constraint backs it."""
    change: dict[UUID, int] = {}
    for item in proposal.items:
        change[item.plan_item_id] = change.get(item.plan_item_id, 0) + item.quantity_base
    for item in previous.items if previous else []:
        change[item.plan_item_id] = change.get(item.plan_item_id, 0) - item.quantity_base
    items = await repository.plan_items_for_update(session, sorted(change))
    for item_id, delta in change.items():
        plan_item = items[item_id]
        if plan_item.committed_base + delta > plan_item.max_quantity_base:
            raise CapacityExceeded(
                f"{plan_item.crop}: the plan grows {quantity.to_text(plan_item.max_quantity_base, plan_item.unit)} "
                f"{plan_item.unit}, of which {quantity.to_text(plan_item.remaining_base, plan_item.unit)} remain.",
                plan_item_id=str(item_id),
                remaining=quantity.to_text(plan_item.remaining_base, plan_item.unit),
            )
        plan_item.committed_base += delta


async def release_capacity(session: AsyncSession, agreement: Agreement) -> None:
    """A lapsed or cancelled agreement no longer takes any of the plan."""
    if agreement.agreed_version is None:
        return
    terms = await repository.get_version(session, agreement.id, agreement.agreed_version)
    assert terms is not None
    items = await repository.plan_items_for_update(session, sorted({item.plan_item_id for item in terms.items}))
    for item in terms.items:
        items[item.plan_item_id].committed_base -= item.quantity_base
    await session.flush()


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
        raise PlanNotFound("A renewal continues with the same producer group; this plan is another group's.")
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


# Reading


async def get_agreement(
    session: AsyncSession, principal: Principal, agreement_id: UUID
) -> tuple[Agreement, ConsumerGroup, dict[UUID, PlanItem]]:
    await policies.readable_agreement(session, principal, agreement_id)
    agreement = await repository.get_with_versions(session, agreement_id)
    assert agreement is not None
    group = await groups_service.get_group(session, agreement.consumer_group_id)
    items = await repository.plan_items(
        session, sorted({item.plan_item_id for version in agreement.versions for item in version.items})
    )
    return agreement, group, items


async def list_agreements(
    session: AsyncSession,
    principal: Principal,
    *,
    consumer_group_id: UUID | None,
    producer_group_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """The partnership's history across seasons: agreements of the caller's groups, oldest first."""
    statement = repository.readable_by(principal.user_id)
    if consumer_group_id:
        statement = statement.where(Agreement.consumer_group_id == consumer_group_id)
    if producer_group_id:
        statement = statement.where(Agreement.producer_group_id == producer_group_id)
    return await paginate(
        session, statement, created_at=Agreement.created_at, id_column=Agreement.id, limit=limit, cursor=cursor
    )


# Subscriptions: pre-ordered shares


def share_price_due(total_minor: int, shares: int, *, first_share: int, count: int) -> int:
    """What `count` shares starting at `first_share` cost. The total is split into equal shares by
    the largest-remainder method, the first shares taking the leftover minor units, so the shares
    add up to the total exactly and a household's due never changes once it subscribed."""
    base, leftover = divmod(total_minor, shares)
    return count * base + max(0, min(first_share + count, leftover) - first_share)


async def subscribe(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, household_id: UUID, shares: int
) -> SubscriptionRead:
    """A member household pre-orders shares. The shares taken never exceed the agreement's."""
    household = await groups_policies.household_acted_for_by(session, principal, household_id)
    await policies.readable_agreement(session, principal, agreement_id)
    agreement = await _locked(session, agreement_id)
    if effective_status(agreement) != AgreementStatus.agreed:
        raise AgreementNotAgreed(
            f"The agreement is {effective_status(agreement)}; households subscribe while it is agreed and not yet paid."
        )
    if await groups_repository.get_membership(session, agreement.consumer_group_id, household.id) is None:
        raise NotAGroupHousehold(f"'{household.name}' is not a household of the agreement's consumer group.")
    if await repository.subscription_of(session, agreement.id, household.id) is not None:
        raise AlreadySubscribed(f"'{household.name}' already holds shares of this agreement.")
    left = agreement.shares - agreement.subscribed_shares
    if shares > left:
        raise NotEnoughShares(f"{left} of {agreement.shares} shares are left.", shares_left=left)
    subscription = Subscription(
        agreement_id=agreement.id,
        household_id=household.id,
        shares=shares,
        first_share=agreement.subscribed_shares,
        amount_due_minor=share_price_due(
            agreement.total_price_minor, agreement.shares, first_share=agreement.subscribed_shares, count=shares
        ),
    )
    session.add(subscription)
    agreement.subscribed_shares += shares
    await session.flush()
    return subscription_read(subscription, agreement.currency)


async def list_subscriptions(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, limit: int, cursor: str | None
) -> Page[SubscriptionRead]:
    """The households' shares in the order they were taken: under the agreement's lock, so one after another."""
    agreement = await policies.readable_agreement(session, principal, agreement_id)
    page = await paginate(
        session,
        repository.agreement_subscriptions(agreement.id),
        created_at=Subscription.created_at,
        id_column=Subscription.id,
        limit=limit,
        cursor=cursor,
    )
    return Page[SubscriptionRead](
        data=[subscription_read(subscription, agreement.currency) for subscription in page.rows],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


def agreement_read(agreement: Agreement, group: ConsumerGroup, plan_items: dict[UUID, PlanItem]) -> AgreementRead:
    """The agreement with every version, in decimal strings of its currency and units."""
    currency = agreement.currency
    agreed = agreement.agreed_version is not None
    return AgreementRead(
        id=agreement.id,
        production_plan_id=agreement.production_plan_id,
        consumer_group_id=agreement.consumer_group_id,
        producer_group_id=agreement.producer_group_id,
        status=effective_status(agreement),
        version=agreement.current_version,
        agreed_version=agreement.agreed_version,
        currency=currency,
        total_price=money.to_text(agreement.total_price_minor, currency) if agreed else None,
        shares=agreement.shares if agreed else None,
        subscribed_shares=agreement.subscribed_shares,
        advance_due_on=agreement.advance_due_on,
        approval_quorum=group.effective_approval_quorum,
        renewed_from_id=agreement.renewed_from_id,
        created_at=agreement.created_at,
        agreed_at=agreement.agreed_at,
        activated_at=agreement.activated_at,
        versions=[_version_read(version, currency, plan_items) for version in agreement.versions],
    )


def _version_read(version: AgreementVersion, currency: str, plan_items: dict[UUID, PlanItem]) -> VersionRead:
    return VersionRead(
        number=version.number,
        proposed_by_side=version.proposed_by_side,
        proposed_by_user_id=version.proposed_by_user_id,
        is_amendment=version.is_amendment,
        status=version.status,
        shares=version.shares,
        advance_due_on=version.advance_due_on,
        distribution_mode=version.distribution_mode,
        total_price=money.to_text(version.total_price_minor, currency),
        currency=currency,
        note=version.note,
        created_at=version.created_at,
        accepted_at=version.accepted_at,
        items=[
            VersionItemRead(
                plan_item_id=item.plan_item_id,
                crop=plan_items[item.plan_item_id].crop,
                variety=plan_items[item.plan_item_id].variety,
                unit=plan_items[item.plan_item_id].unit,
                quantity=quantity.to_text(item.quantity_base, plan_items[item.plan_item_id].unit),
                unit_price=money.to_text(item.unit_price_minor, currency),
                line_total=money.to_text(item.line_total_minor, currency),
            )
            for item in version.items
        ],
        approvals=[ApprovalRead.model_validate(approval) for approval in version.approvals],
    )


def subscription_read(subscription: Subscription, currency: str) -> SubscriptionRead:
    return SubscriptionRead(
        id=subscription.id,
        agreement_id=subscription.agreement_id,
        household_id=subscription.household_id,
        shares=subscription.shares,
        amount_due=money.to_text(subscription.amount_due_minor, currency),
        currency=currency,
        created_at=subscription.created_at,
    )
