"""Households' subscriptions: shares of an agreed agreement pre-ordered, and owed in advance."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import events, policies, repository
from app.agreements.errors import AgreementNotAgreed, AlreadySubscribed, NotAGroupHousehold, NotEnoughShares
from app.agreements.models import AgreementStatus, Subscription
from app.agreements.schemas import SubscriptionRead
from app.agreements.service import lifecycle
from app.core import money
from app.core.pagination import paginate
from app.core.schemas import Page
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository


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
    agreement = await policies.readable_agreement(session, principal, agreement_id, for_update=True)
    status = lifecycle.effective_status(agreement)
    if status != AgreementStatus.agreed:
        raise AgreementNotAgreed(
            f"The agreement is {status}; households subscribe while it is agreed and not yet paid."
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
    read = subscription_read(subscription, agreement.currency)
    await events.publish(session, agreement, "subscription.created", subscription=read.model_dump(mode="json"))
    return read


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
