"""HTTP edge of agreements: negotiation, acceptance, renewal, subscriptions, and the messages between
the two groups. Every route needs a login; an agreement and its messages are for its two groups only,
and read as not found to anyone else."""

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response, status

from app.accounts.dependencies import CurrentUser
from app.agreements import errors
from app.agreements.schemas import (
    AcceptanceCreate,
    AgreementCreate,
    AgreementMessageCreate,
    AgreementMessageRead,
    AgreementRead,
    AgreementSummary,
    CounterProposalCreate,
    RenewalCreate,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionTransferAccepted,
    SubscriptionTransferCreate,
    SubscriptionTransferRead,
)
from app.agreements.service import messages, negotiation, reading, subscriptions, transfers
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession
from app.core.errors import ConflictOfInterest, NotAuthenticated, PriceNotPositive, problem_responses
from app.core.http import etag_for
from app.core.money import AmountTooLarge, InvalidAmount
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.quantity import InvalidQuantity
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.groups.errors import GroupNotFound, HouseholdNotFound, NotCoordinator
from app.plans.errors import PlanNotFound, PlanNotPublished

AUTHENTICATED = problem_responses(NotAuthenticated)
router = DomainRouter(prefix="/agreements", tags=["agreements"], responses=AUTHENTICATED)
messages_router = DomainRouter(prefix="/agreements", tags=["agreement messages"], responses=AUTHENTICATED)
transfers_router = DomainRouter(tags=["subscription transfers"], responses=AUTHENTICATED)

TERMS_PROBLEMS = (
    PlanNotFound,
    PlanNotPublished,
    errors.ItemNotInPlan,
    errors.DuplicateItem,
    errors.DueDateNotValid,
    errors.GroupNotActive,
    PriceNotPositive,
    InvalidAmount,
    AmountTooLarge,
    InvalidQuantity,
    ConflictOfInterest,
)


async def _read(session: DbSession, principal: CurrentUser, agreement_id: UUID) -> AgreementRead:
    return reading.agreement_read(*await reading.get_agreement(session, principal, agreement_id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementRead,
    responses=problem_responses(GroupNotFound, NotCoordinator, *TERMS_PROBLEMS),
)
async def propose_agreement(
    body: AgreementCreate, session: DbSession, principal: CurrentUser, response: Response
) -> AgreementRead:
    """A consumer group's coordinator proposes terms for items of a published plan (version 1)."""
    agreement = await negotiation.propose(session, principal, body)
    created = await _read(session, principal, agreement.id)
    set_location(response, f"/v1/agreements/{created.id}")
    return created


@router.get("", response_model=Page[AgreementSummary], responses=problem_responses(InvalidCursor))
async def list_agreements(
    session: DbSession,
    principal: CurrentUser,
    consumer_group_id: Annotated[UUID | None, Query()] = None,
    producer_group_id: Annotated[UUID | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[AgreementSummary]:
    """Agreements of your groups, oldest first: a partnership's history across seasons."""
    page = await reading.list_agreements(
        session,
        principal,
        consumer_group_id=consumer_group_id,
        producer_group_id=producer_group_id,
        limit=limit,
        cursor=cursor,
    )
    return Page[AgreementSummary](
        data=[reading.agreement_summary(agreement) for agreement in page.rows],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{agreement_id}", response_model=AgreementRead, responses=problem_responses(errors.AgreementNotFound) | sets_etag()
)
async def read_agreement(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> AgreementRead:
    """The agreement with all its versions and who approved them, for its two groups."""
    agreement = await _read(session, principal, agreement_id)
    response.headers["ETag"] = etag_for(agreement)
    return agreement


@router.post(
    "/{agreement_id}/counter-proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementRead,
    responses=problem_responses(
        errors.AgreementNotFound,
        errors.NotPartyCoordinator,
        errors.OwnVersion,
        errors.VersionNotCurrent,
        errors.NotNegotiable,
        errors.AmendmentChangesDues,
        *TERMS_PROBLEMS,
    ),
)
async def counter_propose(
    agreement_id: UUID, body: CounterProposalCreate, session: DbSession, principal: CurrentUser, response: Response
) -> AgreementRead:
    """Answer the current version with other terms; once agreed, this proposes an amendment."""
    await negotiation.counter_propose(session, principal, agreement_id=agreement_id, data=body)
    created = await _read(session, principal, agreement_id)
    set_location(response, f"/v1/agreements/{agreement_id}")
    return created


@router.post(
    "/{agreement_id}/acceptances",
    response_model=AgreementRead,
    responses=problem_responses(
        errors.AgreementNotFound,
        errors.NotPartyCoordinator,
        errors.OwnVersion,
        errors.VersionNotCurrent,
        errors.NothingToAccept,
        errors.AlreadyApproved,
        errors.GroupNotActive,
        errors.CapacityExceeded,
        ConflictOfInterest,
    ),
)
async def accept_agreement_version(
    agreement_id: UUID, body: AcceptanceCreate, session: DbSession, principal: CurrentUser
) -> AgreementRead:
    """Accept exactly the current version. Consumer-side acceptance needs `approval_quorum` coordinators:
    until then the version is `awaiting_approval`."""
    await negotiation.accept_version(session, principal, agreement_id=agreement_id, version=body.version)
    return await _read(session, principal, agreement_id)


@router.post(
    "/{agreement_id}/renewals",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementRead,
    responses=problem_responses(
        errors.AgreementNotFound,
        errors.AgreementNotAgreed,
        errors.NoMatchingItems,
        errors.RenewalCurrencyDiffers,
        NotCoordinator,
        *TERMS_PROBLEMS,
    ),
)
async def renew_agreement(
    agreement_id: UUID, body: RenewalCreate, session: DbSession, principal: CurrentUser, response: Response
) -> AgreementRead:
    """Propose the terms in force again for the producer group's next plan (a new agreement)."""
    renewal = await negotiation.renew(session, principal, agreement_id=agreement_id, data=body)
    created = await _read(session, principal, renewal.id)
    set_location(response, f"/v1/agreements/{created.id}")
    return created


@router.post(
    "/{agreement_id}/subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionRead,
    responses=problem_responses(
        errors.AgreementNotFound,
        HouseholdNotFound,
        errors.AgreementNotAgreed,
        errors.NotAGroupHousehold,
        errors.AlreadySubscribed,
        errors.NotEnoughShares,
    ),
)
async def subscribe_to_agreement(
    agreement_id: UUID, body: SubscriptionCreate, session: DbSession, principal: CurrentUser, response: Response
) -> SubscriptionRead:
    """Your household pre-orders shares of an agreed agreement, and owes their price in advance."""
    created = await subscriptions.subscribe(
        session, principal, agreement_id=agreement_id, household_id=body.household_id, shares=body.shares
    )
    set_location(response, f"/v1/agreements/{agreement_id}/subscriptions")
    return created


@router.get(
    "/{agreement_id}/subscriptions",
    response_model=Page[SubscriptionRead],
    responses=problem_responses(errors.AgreementNotFound, InvalidCursor),
)
async def list_agreement_subscriptions(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[SubscriptionRead]:
    """The households' shares of the agreement, in the order they were taken."""
    return await subscriptions.list_subscriptions(
        session, principal, agreement_id=agreement_id, limit=limit, cursor=cursor
    )


# Handing a subscription on to another household of the group


@transfers_router.post(
    "/subscriptions/{subscription_id}/transfers",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionTransferRead,
    responses=problem_responses(
        errors.SubscriptionNotFound,
        errors.AgreementNotRunning,
        errors.TransferAlreadyOffered,
        errors.NotAGroupHousehold,
        errors.AlreadySubscribed,
    ),
)
async def offer_subscription_transfer(
    subscription_id: UUID,
    body: SubscriptionTransferCreate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
) -> SubscriptionTransferRead:
    """Your household offers its subscription to another member household of the group."""
    created = await transfers.offer(session, principal, subscription_id=subscription_id, household_id=body.household_id)
    set_location(response, f"/v1/subscription-transfers/{created.id}")
    return created


@transfers_router.get(
    "/subscriptions/{subscription_id}/transfers",
    response_model=Page[SubscriptionTransferRead],
    responses=problem_responses(errors.SubscriptionNotFound, InvalidCursor),
)
async def list_subscription_transfers(
    subscription_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[SubscriptionTransferRead]:
    """Who offered the subscription to whom, oldest first: the history of its holders."""
    return await transfers.list_transfers(
        session, principal, subscription_id=subscription_id, limit=limit, cursor=cursor
    )


@transfers_router.post(
    "/subscription-transfers/{transfer_id}/acceptances",
    response_model=SubscriptionTransferAccepted,
    responses=problem_responses(
        errors.TransferNotFound,
        errors.TransferNotOffered,
        errors.AgreementNotRunning,
        errors.NotAGroupHousehold,
        errors.AlreadySubscribed,
    ),
)
async def accept_subscription_transfer(
    transfer_id: UUID, session: DbSession, principal: CurrentUser
) -> SubscriptionTransferAccepted:
    """Your household takes the subscription over; payments already made are not moved."""
    return await transfers.accept(session, principal, transfer_id=transfer_id)


@transfers_router.delete(
    "/subscription-transfers/{transfer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(errors.TransferNotFound, errors.TransferNotOffered),
)
async def withdraw_subscription_transfer(transfer_id: UUID, session: DbSession, principal: CurrentUser) -> None:
    """Your household takes back its offer while it is still offered."""
    await transfers.withdraw(session, principal, transfer_id=transfer_id)


# Messages between the two groups of an agreement


@messages_router.post(
    "/{agreement_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=AgreementMessageRead,
    responses=problem_responses(errors.AgreementNotFound),
)
async def post_agreement_message(
    agreement_id: UUID, body: AgreementMessageCreate, session: DbSession, principal: CurrentUser, response: Response
) -> AgreementMessageRead:
    """Write to the other group of an agreement your group is party to."""
    message = await messages.post_message(session, principal, agreement_id=agreement_id, body=body.body)
    created = AgreementMessageRead.model_validate(message)
    set_location(response, f"/v1/agreements/{agreement_id}/messages")
    return created


@messages_router.get(
    "/{agreement_id}/messages",
    response_model=Page[AgreementMessageRead],
    responses=problem_responses(errors.AgreementNotFound, InvalidCursor),
)
async def list_agreement_messages(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[AgreementMessageRead]:
    """The messages between the agreement's two groups, oldest first."""
    page = await messages.list_messages(session, principal, agreement_id=agreement_id, limit=limit, cursor=cursor)
    return page.to(AgreementMessageRead)
