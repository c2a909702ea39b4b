"""HTTP edge of collection accounts and payment instructions."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import Header, Response, status

from app.accounts.dependencies import CurrentUser
from app.agreements.errors import AgreementNotFound, SubscriptionNotFound
from app.collection import errors, service
from app.collection.models import PayeeKind
from app.collection.schemas import (
    CollectionAccountCreate,
    CollectionAccountRead,
    CollectionAccountUpdate,
    PaymentInstructionsRead,
)
from app.core.contract import set_location
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.groups.errors import GroupNotFound, NotCoordinator, NotGroupMember
from app.producers.errors import NotProducerCoordinator, NotProducerGroupMember, ProducerGroupNotFound

router = DomainRouter(tags=["payments"], responses=problem_responses(NotAuthenticated))

IMAGE_TYPES = (service.SVG_MEDIA_TYPE, service.PNG_MEDIA_TYPE)
INSTRUCTIONS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The instructions as JSON; with `Accept: image/svg+xml` or `image/png`, the QR code alone.",
        "content": {
            service.SVG_MEDIA_TYPE: {"schema": {"type": "string", "maxLength": 200000}},
            service.PNG_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary", "maxLength": 200000}},
        },
    },
}
AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]
GROUP_ACCOUNT = "/consumer-groups/{group_id}/collection-accounts/{account_id}"
PRODUCER_ACCOUNT = "/producer-groups/{producer_group_id}/collection-accounts/{account_id}"
GROUP_CHANGE = problem_responses(GroupNotFound, NotCoordinator, errors.CollectionAccountNotFound)
PRODUCER_CHANGE = problem_responses(ProducerGroupNotFound, NotProducerCoordinator, errors.CollectionAccountNotFound)
APPROVAL_PROBLEMS = (errors.CollectionAccountNothingToApprove, errors.CollectionAccountAlreadyApproved)
DEFAULT_PROBLEMS = (
    errors.CollectionAccountNotActive,
    errors.CollectionAccountAlreadyDefault,
    errors.CollectionAccountProposalOpen,
)


@router.post(
    "/consumer-groups/{group_id}/collection-accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=CollectionAccountRead,
    responses=problem_responses(GroupNotFound, NotCoordinator, errors.InvalidCollectionAccount),
)
async def create_group_collection_account(
    group_id: UUID, body: CollectionAccountCreate, session: DbSession, principal: CurrentUser, response: Response
) -> CollectionAccountRead:
    """Propose an account the group collects its households' payments into; coordinators only. It is used
    once the group's quorum of coordinators has approved it (at once where the quorum is one)."""
    account = await service.create_account(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, data=body
    )
    set_location(response, f"/v1/consumer-groups/{group_id}/collection-accounts")
    return account


@router.get(
    "/consumer-groups/{group_id}/collection-accounts",
    response_model=Page[CollectionAccountRead],
    responses=problem_responses(GroupNotFound, NotGroupMember, InvalidCursor),
)
async def list_group_collection_accounts(
    group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[CollectionAccountRead]:
    """The group's collection accounts, oldest first, for its members and coordinators."""
    return await service.list_accounts(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, limit=limit, cursor=cursor
    )


@router.post(
    "/producer-groups/{producer_group_id}/collection-accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=CollectionAccountRead,
    responses=problem_responses(ProducerGroupNotFound, NotProducerCoordinator, errors.InvalidCollectionAccount),
)
async def create_producer_collection_account(
    producer_group_id: UUID,
    body: CollectionAccountCreate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
) -> CollectionAccountRead:
    """Propose an account the producer group is paid into in advance; coordinators only. It is used once
    the group's quorum of coordinators has approved it (at once where the quorum is one)."""
    account = await service.create_account(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, data=body
    )
    set_location(response, f"/v1/producer-groups/{producer_group_id}/collection-accounts")
    return account


@router.get(
    "/producer-groups/{producer_group_id}/collection-accounts",
    response_model=Page[CollectionAccountRead],
    responses=problem_responses(ProducerGroupNotFound, NotProducerGroupMember, InvalidCursor),
)
async def list_producer_collection_accounts(
    producer_group_id: UUID, session: DbSession, principal: CurrentUser, limit: Limit = 20, cursor: Cursor = None
) -> Page[CollectionAccountRead]:
    """The producer group's collection accounts, oldest first, for its farming households and coordinators."""
    return await service.list_accounts(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, limit=limit, cursor=cursor
    )


# One collection account of a consumer group


@router.get(
    GROUP_ACCOUNT,
    response_model=CollectionAccountRead,
    responses=problem_responses(GroupNotFound, NotGroupMember, errors.CollectionAccountNotFound),
)
async def get_group_collection_account(
    group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """The account, with the change awaiting approval and whose approvals count; for members and coordinators."""
    return await service.get_account(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, account_id=account_id
    )


@router.patch(GROUP_ACCOUNT, response_model=CollectionAccountRead, responses=GROUP_CHANGE)
async def update_group_collection_account(
    group_id: UUID, account_id: UUID, body: CollectionAccountUpdate, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """Rename the account; its payment details never change (propose a new account and retire this one)."""
    return await service.update_account(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, account_id=account_id, data=body
    )


@router.post(
    f"{GROUP_ACCOUNT}/approvals",
    response_model=CollectionAccountRead,
    responses={**GROUP_CHANGE, **problem_responses(*APPROVAL_PROBLEMS)},
)
async def approve_group_collection_account(
    group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """Approve the account's open proposal; the approval that reaches the group's quorum carries it."""
    return await service.approve_account(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, account_id=account_id
    )


@router.post(
    f"{GROUP_ACCOUNT}/default",
    response_model=CollectionAccountRead,
    responses={**GROUP_CHANGE, **problem_responses(*DEFAULT_PROBLEMS)},
)
async def propose_group_default_collection_account(
    group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """Propose the active account as the one payment instructions name; it is once the quorum approves."""
    return await service.propose_default(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, account_id=account_id
    )


@router.post(
    f"{GROUP_ACCOUNT}/retirement",
    response_model=CollectionAccountRead,
    responses={**GROUP_CHANGE, **problem_responses(errors.CollectionAccountRetired)},
)
async def retire_group_collection_account(
    group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """Stop collecting into the account, at once; it is kept. Retiring the default leaves the group without one."""
    return await service.retire_account(
        session, principal, payee_kind=PayeeKind.consumer_group, payee_id=group_id, account_id=account_id
    )


# One collection account of a producer group


@router.get(
    PRODUCER_ACCOUNT,
    response_model=CollectionAccountRead,
    responses=problem_responses(ProducerGroupNotFound, NotProducerGroupMember, errors.CollectionAccountNotFound),
)
async def get_producer_collection_account(
    producer_group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """The account, with the change awaiting approval and whose approvals count; for the group's households
    and coordinators."""
    return await service.get_account(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, account_id=account_id
    )


@router.patch(PRODUCER_ACCOUNT, response_model=CollectionAccountRead, responses=PRODUCER_CHANGE)
async def update_producer_collection_account(
    producer_group_id: UUID,
    account_id: UUID,
    body: CollectionAccountUpdate,
    session: DbSession,
    principal: CurrentUser,
) -> CollectionAccountRead:
    """Rename the account; its payment details never change (propose a new account and retire this one)."""
    return await service.update_account(
        session,
        principal,
        payee_kind=PayeeKind.producer_group,
        payee_id=producer_group_id,
        account_id=account_id,
        data=body,
    )


@router.post(
    f"{PRODUCER_ACCOUNT}/approvals",
    response_model=CollectionAccountRead,
    responses={**PRODUCER_CHANGE, **problem_responses(*APPROVAL_PROBLEMS)},
)
async def approve_producer_collection_account(
    producer_group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """Approve the account's open proposal; the approval that reaches the group's quorum carries it."""
    return await service.approve_account(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, account_id=account_id
    )


@router.post(
    f"{PRODUCER_ACCOUNT}/default",
    response_model=CollectionAccountRead,
    responses={**PRODUCER_CHANGE, **problem_responses(*DEFAULT_PROBLEMS)},
)
async def propose_producer_default_collection_account(
    producer_group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """Propose the active account as the one payment instructions name; it is once the quorum approves."""
    return await service.propose_default(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, account_id=account_id
    )


@router.post(
    f"{PRODUCER_ACCOUNT}/retirement",
    response_model=CollectionAccountRead,
    responses={**PRODUCER_CHANGE, **problem_responses(errors.CollectionAccountRetired)},
)
async def retire_producer_collection_account(
    producer_group_id: UUID, account_id: UUID, session: DbSession, principal: CurrentUser
) -> CollectionAccountRead:
    """Stop collecting into the account, at once; it is kept. Retiring the default leaves the group without one."""
    return await service.retire_account(
        session, principal, payee_kind=PayeeKind.producer_group, payee_id=producer_group_id, account_id=account_id
    )


@router.get(
    "/subscriptions/{subscription_id}/payment-instructions",
    response_model=PaymentInstructionsRead,
    responses={**INSTRUCTIONS_RESPONSES, **problem_responses(SubscriptionNotFound, errors.PaymentQrUnavailable)},
)
async def read_subscription_payment_instructions(
    subscription_id: UUID, session: DbSession, principal: CurrentUser, response: Response, accept: AcceptHeader = None
) -> PaymentInstructionsRead | Response:
    """What the household pays its group for its shares, by when, to which account, under which reference,
    with the QR code a banking app scans; for the household's members and the group's coordinators."""
    instructions = await service.subscription_instructions(session, principal, subscription_id)
    return _answer(instructions, accept, response)


@router.get(
    "/agreements/{agreement_id}/payment-instructions",
    response_model=PaymentInstructionsRead,
    responses={
        **INSTRUCTIONS_RESPONSES,
        **problem_responses(AgreementNotFound, NotCoordinator, errors.PaymentQrUnavailable),
    },
)
async def read_agreement_payment_instructions(
    agreement_id: UUID, session: DbSession, principal: CurrentUser, response: Response, accept: AcceptHeader = None
) -> PaymentInstructionsRead | Response:
    """What the group still pays the producer group for the agreement, and how; for the group's coordinators."""
    instructions = await service.agreement_instructions(session, principal, agreement_id)
    return _answer(instructions, accept, response)


def _answer(
    instructions: PaymentInstructionsRead, accept: str | None, response: Response
) -> PaymentInstructionsRead | Response:
    image = preferred_image(accept)
    if image is not None:
        return Response(service.qr_image(instructions, image), media_type=image, headers={"Vary": "Accept"})
    response.headers["Vary"] = "Accept"
    return instructions


def preferred_image(accept: str | None) -> str | None:
    """The image type the Accept header ranks above JSON (by q, then by order); None: JSON, the default."""
    best: tuple[float, int, str | None] | None = None
    for position, entry in enumerate((accept or "").split(",")):
        media_type, *parameters = (part.strip().lower() for part in entry.split(";"))
        image = media_type if media_type in IMAGE_TYPES else None
        if image is None and media_type not in {"application/json", "application/*", "*/*"}:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > best[:2]):
            best = (quality, -position, image)
    return None if best is None else best[2]
