"""Matching a statement's credit lines to the payee's payers, set-based: a handful of queries for the
whole file, whatever its length, then every line in memory.

A line is matched when its description holds a valid payment reference of one of the payee's agreements
(another group's reference is no match, whoever paid it in). Otherwise the payers whose name appears on
the line are suggested, those whose outstanding equals the amount first; with no name on the line, the
payers whose outstanding equals its amount, if only a few do (dozens of households owe the same for the
same shares, and a list of them all helps nobody). Anything else is unmatched and waits for a treasurer."""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements import repository as agreements_repository
from app.agreements.models import AgreementStatus
from app.agreements.service import lifecycle
from app.collection import references
from app.collection.models import PayeeKind, PayerKind, PaymentReference
from app.core import money
from app.ledger import service as ledger
from app.ledger.models import AccountKind
from app.statements import repository
from app.statements.models import LineStatus
from app.statements.parsing import ParsedLine
from app.statements.schemas import SuggestionReason

MAX_SUGGESTIONS = 5
MAX_AMOUNT_ONLY_SUGGESTIONS = 3
# A name word shared by more payers than this tells none of them apart ("farm", a common family name).
MAX_PAYERS_PER_WORD = 3
MIN_WORD_LENGTH = 3
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Payer:
    agreement_id: UUID
    kind: PayerKind
    id: UUID
    name: str
    currency: str
    outstanding_minor: int
    words: frozenset[str]


@dataclass(frozen=True)
class Match:
    status: LineStatus
    reference: str | None
    agreement_id: UUID | None
    payer_kind: PayerKind | None
    payer_id: UUID | None
    suggestions: list[dict[str, Any]]


def words_of(*texts: str | None) -> set[str]:
    return {word for text in texts if text for word in WORD.findall(text.casefold()) if len(word) >= MIN_WORD_LENGTH}


class Matcher:
    def __init__(self, by_reference: dict[str, tuple[PaymentReference, str]], payers: Sequence[Payer]) -> None:
        self.by_reference = by_reference  # reference -> (its row, its agreement's currency)
        self.payers = payers
        self.by_amount: dict[tuple[str, int], list[Payer]] = defaultdict(list)
        by_word: dict[str, list[Payer]] = defaultdict(list)
        for payer in payers:
            if payer.outstanding_minor > 0:
                self.by_amount[(payer.currency, payer.outstanding_minor)].append(payer)
            for word in payer.words:
                by_word[word].append(payer)
        self.by_word = {
            word: found for word, found in by_word.items() if len({p.id for p in found}) <= MAX_PAYERS_PER_WORD
        }

    @classmethod
    async def load(
        cls, session: AsyncSession, payee_kind: PayeeKind, payee_id: UUID, lines: Iterable[ParsedLine]
    ) -> "Matcher":
        quoted = sorted({found for line in lines if (found := references.find_in(line.description or ""))})
        known = await repository.references_of_payee(session, payee_kind, payee_id, quoted)
        by_reference = {reference: (row, agreement.currency) for reference, (row, agreement) in known.items()}
        if payee_kind == PayeeKind.consumer_group:
            payers = await _households_owing(session, payee_id)
        else:
            payers = await _consumer_groups_owing(session, payee_id)
        return cls(by_reference, payers)

    def match(self, line: ParsedLine) -> Match:
        reference = references.find_in(line.description or "")
        known = self.by_reference.get(reference) if reference else None
        if known is not None and known[1] == line.currency:
            row, _ = known
            return Match(LineStatus.matched, reference, row.agreement_id, row.payer_kind, row.payer_id, [])
        suggestions = self.suggest(line)
        status = LineStatus.suggested if suggestions else LineStatus.unmatched
        return Match(status, reference, None, None, None, suggestions)

    def suggest(self, line: ParsedLine) -> list[dict[str, Any]]:
        owing_exactly = {
            (payer.agreement_id, payer.id) for payer in self.by_amount.get((line.currency, line.amount_minor), [])
        }
        named = {
            (payer.agreement_id, payer.id): payer
            for word in words_of(line.payer_name, line.description)
            for payer in self.by_word.get(word, [])
            if payer.currency == line.currency
        }
        if named:
            candidates = sorted(
                named.values(), key=lambda payer: ((payer.agreement_id, payer.id) not in owing_exactly, payer.name)
            )
        else:
            candidates = self.by_amount.get((line.currency, line.amount_minor), [])
            if len(candidates) > MAX_AMOUNT_ONLY_SUGGESTIONS:
                candidates = []
        return [
            _suggestion(payer, amount=(payer.agreement_id, payer.id) in owing_exactly, name=bool(named))
            for payer in candidates[:MAX_SUGGESTIONS]
        ]


def _suggestion(payer: Payer, *, amount: bool, name: bool) -> dict[str, Any]:
    reasons = [reason for reason, holds in ((SuggestionReason.amount, amount), (SuggestionReason.name, name)) if holds]
    return {
        "agreement_id": str(payer.agreement_id),
        "payer_kind": payer.kind.value,
        "payer_id": str(payer.id),
        "payer_name": payer.name,
        "outstanding": money.to_text(payer.outstanding_minor, payer.currency),
        "reasons": [reason.value for reason in reasons],
    }


async def _households_owing(session: AsyncSession, group_id: UUID) -> list[Payer]:
    """Every household holding shares of the group's agreements that take payment now, with what it still
    owes: payments' rule, in which shares handed on keep what their earlier holders paid."""
    payable = (AgreementStatus.agreed, AgreementStatus.active)
    agreements = {
        agreement.id: agreement
        for agreement in await repository.open_agreements(session, PayeeKind.consumer_group, group_id, payable)
        if lifecycle.effective_status(agreement) in payable
    }
    holdings = await repository.subscriptions_with_names(session, list(agreements))
    former = await agreements_repository.former_holders_of(session, [subscription.id for subscription, _ in holdings])
    holders = {subscription.household_id for subscription, _ in holdings} | {h for hs in former.values() for h in hs}
    balances = await ledger.owners_accounts_with_balances(
        session, kind=AccountKind.household_paid, owner_ids=sorted(holders), agreement_ids=sorted(agreements)
    )
    paid = {(account.agreement_id, account.owner_id): -balance for account, balance in balances}
    members = await repository.member_names(session, [subscription.household_id for subscription, _ in holdings])
    payers = []
    for subscription, name in holdings:
        paid_towards = sum(
            paid.get((subscription.agreement_id, household), 0)
            for household in (subscription.household_id, *former.get(subscription.id, ()))
        )
        payers.append(
            Payer(
                agreement_id=subscription.agreement_id,
                kind=PayerKind.household,
                id=subscription.household_id,
                name=name,
                currency=agreements[subscription.agreement_id].currency,
                outstanding_minor=max(0, subscription.amount_due_minor - paid_towards),
                words=frozenset(words_of(name, *members.get(subscription.household_id, ()))),
            )
        )
    return payers


async def _consumer_groups_owing(session: AsyncSession, producer_group_id: UUID) -> list[Payer]:
    """The consumer groups of the producer group's agreed agreements, with what each still owes."""
    agreements = [
        agreement
        for agreement in await repository.open_agreements(
            session, PayeeKind.producer_group, producer_group_id, (AgreementStatus.agreed,)
        )
        if lifecycle.effective_status(agreement) == AgreementStatus.agreed
    ]
    balances = await ledger.owners_accounts_with_balances(
        session,
        kind=AccountKind.producer_received,
        owner_ids=[producer_group_id],
        agreement_ids=[agreement.id for agreement in agreements],
    )
    received = {account.agreement_id: balance for account, balance in balances}
    names = await repository.group_names(session, sorted({agreement.consumer_group_id for agreement in agreements}))
    return [
        Payer(
            agreement_id=agreement.id,
            kind=PayerKind.consumer_group,
            id=agreement.consumer_group_id,
            name=names[agreement.consumer_group_id],
            currency=agreement.currency,
            outstanding_minor=max(0, agreement.total_price_minor - received.get(agreement.id, 0)),
            words=frozenset(words_of(names[agreement.consumer_group_id])),
        )
        for agreement in agreements
    ]
