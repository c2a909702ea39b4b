"""Collection accounts: where a group is paid. Redirecting a whole group's payments is a decision for many
people, so no one coordinator takes it alone (principle 7): a new account, and making an account the
default, take effect once the group's effective quorum of coordinators in office has approved. The
proposer's approval counts at once, so with a quorum of one the change is immediate; an approval counts
only while its coordinator holds office, and the approval that reaches the quorum carries the change in
its own transaction. Every change locks the group's row first, so two last approvals carry it once.

An active account's payment details never change (that would be the same redirection); its label may.
Any one coordinator may retire an account: that stops payments to it and cannot send money elsewhere,
and an account found compromised must stop at once. Retiring the default leaves the group without one
until the quorum makes another the default."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.th import tin

from app.accounts.principal import Principal
from app.collection import repository
from app.collection.errors import (
    CollectionAccountAlreadyApproved,
    CollectionAccountAlreadyDefault,
    CollectionAccountNotActive,
    CollectionAccountNotFound,
    CollectionAccountNothingToApprove,
    CollectionAccountProposalOpen,
    CollectionAccountRetired,
    InvalidCollectionAccount,
)
from app.collection.models import (
    AccountApproval,
    AccountProposal,
    CollectionAccount,
    CollectionAccountKind,
    CollectionAccountStatus,
    PayeeKind,
    ProposalKind,
    ProposalStatus,
    ProxyType,
)
from app.collection.models import QrScheme as Scheme
from app.collection.policies import require_payee_coordinator, require_payee_reader
from app.collection.schemas import (
    CollectionAccountApprovalRead,
    CollectionAccountCreate,
    CollectionAccountProposalRead,
    CollectionAccountRead,
    CollectionAccountUpdate,
)
from app.core.db import utc_now
from app.core.pagination import paginate
from app.core.schemas import Page
from app.groups.coordinator_terms import Group

BANK_FIELDS = ("bank_name", "account_holder", "account_number", "swift_bic")
QR_FIELDS = ("scheme", "proxy_type", "proxy_value", "bank_bin", "merchant_name", "merchant_city")


async def create_account(
    session: AsyncSession, principal: Principal, *, payee_kind: PayeeKind, payee_id: UUID, data: CollectionAccountCreate
) -> CollectionAccountRead:
    """A coordinator proposes an account. It is proposed as the default when asked, or while the group has
    none (its first account); the default it replaces is kept."""
    group = await require_payee_coordinator(session, principal, payee_kind, payee_id)
    fields = _checked(data)
    makes_default = data.default or await repository.default_account(session, payee_id) is None
    account = CollectionAccount(
        payee_kind=payee_kind,
        payee_id=payee_id,
        kind=data.kind,
        status=CollectionAccountStatus.proposed,
        label=data.label,
        created_by=principal.user_id,
        **fields,
    )
    session.add(account)
    await session.flush()
    await _propose(session, group, account, ProposalKind.add_account, makes_default, principal.user_id)
    return await _read(session, group, account)


async def approve_account(
    session: AsyncSession, principal: Principal, *, payee_kind: PayeeKind, payee_id: UUID, account_id: UUID
) -> CollectionAccountRead:
    """Another coordinator approves the account's open proposal; the approval reaching the quorum carries it."""
    group, account = await _locked(session, principal, payee_kind, payee_id, account_id)
    proposal = await repository.open_proposal(session, account.id)
    if proposal is None:
        raise CollectionAccountNothingToApprove(
            f"Collection account {account.id} is {account.status}: nothing about it awaits approval.",
            account_id=str(account.id),
            status=account.status.value,
        )
    if await repository.has_approved(session, proposal.id, principal.user_id):
        raise CollectionAccountAlreadyApproved(
            f"You already approved the proposal for collection account {account.id}.", account_id=str(account.id)
        )
    await _approve(session, group, account, proposal, principal.user_id)
    return await _read(session, group, account)


async def propose_default(
    session: AsyncSession, principal: Principal, *, payee_kind: PayeeKind, payee_id: UUID, account_id: UUID
) -> CollectionAccountRead:
    """A coordinator proposes an active account as the group's default, for the quorum to approve."""
    group, account = await _locked(session, principal, payee_kind, payee_id, account_id)
    if account.status != CollectionAccountStatus.active:
        hint = "approve it first" if account.status == CollectionAccountStatus.proposed else "it is retired"
        raise CollectionAccountNotActive(
            f"Collection account {account.id} is {account.status}: only an active account becomes the "
            f"default ({hint}).",
            account_id=str(account.id),
            status=account.status.value,
        )
    if account.is_default:
        raise CollectionAccountAlreadyDefault(
            f"Collection account {account.id} is the default already.", account_id=str(account.id)
        )
    if await repository.open_proposal(session, account.id) is not None:
        raise CollectionAccountProposalOpen(
            f"Collection account {account.id} is proposed as the default already: approve that proposal.",
            account_id=str(account.id),
        )
    await _propose(session, group, account, ProposalKind.make_default, True, principal.user_id)
    return await _read(session, group, account)


async def retire_account(
    session: AsyncSession, principal: Principal, *, payee_kind: PayeeKind, payee_id: UUID, account_id: UUID
) -> CollectionAccountRead:
    """Any coordinator retires an account: kept, no longer paid into, withdrawn from any open proposal."""
    group, account = await _locked(session, principal, payee_kind, payee_id, account_id)
    if account.status == CollectionAccountStatus.retired:
        raise CollectionAccountRetired(
            f"Collection account {account.id} was retired already.", account_id=str(account.id)
        )
    proposal = await repository.open_proposal(session, account.id)
    if proposal is not None:
        proposal.status, proposal.closed_at = ProposalStatus.withdrawn, utc_now()
    account.status, account.is_default = CollectionAccountStatus.retired, False
    account.retired_at, account.retired_by = utc_now(), principal.user_id
    await session.flush()
    return await _read(session, group, account)


async def update_account(
    session: AsyncSession,
    principal: Principal,
    *,
    payee_kind: PayeeKind,
    payee_id: UUID,
    account_id: UUID,
    data: CollectionAccountUpdate,
) -> CollectionAccountRead:
    """A coordinator renames an account; its payment details are not in the body to change."""
    group, account = await _locked(session, principal, payee_kind, payee_id, account_id)
    account.label = data.label
    await session.flush()
    return await _read(session, group, account)


async def get_account(
    session: AsyncSession, principal: Principal, *, payee_kind: PayeeKind, payee_id: UUID, account_id: UUID
) -> CollectionAccountRead:
    group = await require_payee_reader(session, principal, payee_kind, payee_id)
    account = await repository.get_account(session, payee_kind, payee_id, account_id)
    if account is None:
        raise CollectionAccountNotFound(account_id)
    return await _read(session, group, account)


async def list_accounts(
    session: AsyncSession,
    principal: Principal,
    *,
    payee_kind: PayeeKind,
    payee_id: UUID,
    limit: int,
    cursor: str | None,
) -> Page[CollectionAccountRead]:
    group = await require_payee_reader(session, principal, payee_kind, payee_id)
    page = await paginate(
        session,
        repository.accounts_of(payee_id),
        created_at=CollectionAccount.created_at,
        id_column=CollectionAccount.id,
        limit=limit,
        cursor=cursor,
    )
    return Page[CollectionAccountRead](
        data=await _reads(session, group, page.rows), has_more=page.has_more, next_cursor=page.next_cursor
    )


# Proposals and their approvals


async def _locked(
    session: AsyncSession, principal: Principal, payee_kind: PayeeKind, payee_id: UUID, account_id: UUID
) -> tuple[Group, CollectionAccount]:
    """The group, its row locked and the caller one of its coordinators, and its account as it stands
    under that lock; another group's account is not found."""
    group = await require_payee_coordinator(session, principal, payee_kind, payee_id)
    account = await repository.get_account(session, payee_kind, payee_id, account_id)
    if account is None:
        raise CollectionAccountNotFound(account_id)
    return group, account


async def _propose(
    session: AsyncSession,
    group: Group,
    account: CollectionAccount,
    kind: ProposalKind,
    makes_default: bool,
    user_id: UUID,
) -> None:
    proposal = AccountProposal(account_id=account.id, kind=kind, makes_default=makes_default, proposed_by=user_id)
    session.add(proposal)
    await session.flush()
    await _approve(session, group, account, proposal, user_id)


async def _approve(
    session: AsyncSession, group: Group, account: CollectionAccount, proposal: AccountProposal, user_id: UUID
) -> None:
    session.add(AccountApproval(proposal_id=proposal.id, user_id=user_id))
    await session.flush()
    in_office = repository.coordinating(account.payee_kind, account.payee_id)
    if await repository.approvals_in_office(session, proposal.id, in_office) >= group.effective_approval_quorum:
        await _carry(session, account, proposal)


async def _carry(session: AsyncSession, account: CollectionAccount, proposal: AccountProposal) -> None:
    """The change takes effect; the caller holds the group's lock, so the default it replaces is the only one."""
    now = utc_now()
    if proposal.kind == ProposalKind.add_account:
        account.status, account.activated_at = CollectionAccountStatus.active, now
    if proposal.makes_default:
        await repository.clear_default(session, account.payee_id)
        account.is_default = True
    proposal.status, proposal.closed_at = ProposalStatus.carried, now
    await session.flush()


# Reads


async def _read(session: AsyncSession, group: Group, account: CollectionAccount) -> CollectionAccountRead:
    return (await _reads(session, group, [account]))[0]


async def _reads(
    session: AsyncSession, group: Group, accounts: Sequence[CollectionAccount]
) -> list[CollectionAccountRead]:
    """The accounts, each with the change awaiting approval and whose approvals count."""
    if not accounts:
        return []
    proposals = {p.account_id: p for p in await repository.open_proposals(session, [a.id for a in accounts])}
    approvals = await repository.approvals_of(session, [p.id for p in proposals.values()])
    in_office = await repository.coordinators_in_office(session, accounts[0].payee_kind, group.id)
    reads = []
    for account in accounts:
        read = CollectionAccountRead.model_validate(account)
        proposal = proposals.get(account.id)
        if proposal is not None:
            approved = [
                CollectionAccountApprovalRead(
                    user_id=approval.user_id, approved_at=approval.created_at, in_office=approval.user_id in in_office
                )
                for approval in approvals
                if approval.proposal_id == proposal.id
            ]
            read.proposal = CollectionAccountProposalRead(
                kind=proposal.kind,
                makes_default=proposal.makes_default,
                proposed_by=proposal.proposed_by,
                proposed_at=proposal.created_at,
                approvals=approved,
                approvals_counted=sum(approval.in_office for approval in approved),
                approval_quorum=group.effective_approval_quorum,
            )
        reads.append(read)
    return reads


# Validation


def _checked(data: CollectionAccountCreate) -> dict[str, str | None]:
    """The account's fields once its kind's are all there, and none of the other kind's."""
    given = data.model_dump(include={*BANK_FIELDS, *QR_FIELDS})
    needed, foreign = (
        (("bank_name", "account_holder", "account_number"), QR_FIELDS)
        if data.kind == CollectionAccountKind.bank_account
        else (("scheme", "proxy_type", "proxy_value"), BANK_FIELDS)
    )
    missing = [name for name in needed if given[name] is None]
    if missing:
        raise InvalidCollectionAccount(f"A {data.kind} account needs {', '.join(missing)}.", missing=missing)
    stray = [name for name in foreign if given[name] is not None]
    if stray:
        raise InvalidCollectionAccount(f"A {data.kind} account has no {', '.join(stray)}.", not_allowed=stray)
    if data.kind == CollectionAccountKind.qr:
        given["proxy_value"] = _scheme_identifier(data)
    return given


def _scheme_identifier(data: CollectionAccountCreate) -> str:
    """The identifier as the scheme writes it, refused when the scheme would refuse it."""
    assert data.proxy_type is not None and data.proxy_value is not None
    digits = "".join(character for character in data.proxy_value if character not in " -+")
    if data.scheme == Scheme.promptpay:
        if data.bank_bin is not None:
            raise InvalidCollectionAccount("A PromptPay id names no bank: leave bank_bin out.")
        if not digits.isdigit():
            raise InvalidCollectionAccount(f"'{data.proxy_value}' is not a PromptPay id: it has other than digits.")
        if data.proxy_type == ProxyType.mobile:
            # 0812345678, +66 81 234 5678 and 0066812345678 are one number.
            national = digits.removeprefix("00").removeprefix("66") if len(digits) > 10 else digits.removeprefix("0")
            if len(national) != 9 or national[0] not in "689":
                raise InvalidCollectionAccount(
                    f"'{data.proxy_value}' is not a Thai mobile number (0 and nine digits, from 06, 08 or 09)."
                )
            return "0066" + national
        if data.proxy_type == ProxyType.national_id:
            if not tin.is_valid(digits):
                raise InvalidCollectionAccount(
                    f"'{data.proxy_value}' is not a Thai national id or tax id: 13 digits, the last a check digit."
                )
            return digits
        if data.proxy_type == ProxyType.e_wallet:
            if len(digits) != 15:
                raise InvalidCollectionAccount(f"'{data.proxy_value}' is not a PromptPay e-wallet id (15 digits).")
            return digits
        raise InvalidCollectionAccount("A PromptPay id is a mobile number, a national or tax id, or an e-wallet id.")
    if data.proxy_type != ProxyType.bank_account or data.bank_bin is None:
        raise InvalidCollectionAccount("A VietQR account is a bank_account, with the bank's six-digit bank_bin.")
    account_number = data.proxy_value.replace(" ", "").replace("-", "")
    if not account_number.isalnum() or not account_number.isascii() or len(account_number) > 19:
        raise InvalidCollectionAccount(
            f"'{data.proxy_value}' is not a VietQR account number (1 to 19 letters or digits)."
        )
    return account_number
