"""An agreed agreement with two coordinators in office on each side (so each side's quorum is two),
paid into through the API, and the requests that cancel it."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.agreements.models import AgreementStatus
from app.core.config import Settings
from app.groups.models import Coordinator, Household
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from app.producers.models import ProducerCoordinator
from tests.factories import create_user
from tests.harvests.builders import Season, create_season, today


@dataclass
class Parties:
    season: Season
    consumers: list[User]  # the consumer group's coordinators in office
    producers: list[User]  # the producer group's coordinators in office

    @property
    def agreement_id(self) -> UUID:
        return self.season.agreement.id

    @property
    def url(self) -> str:
        return f"/v1/agreements/{self.agreement_id}"

    def headers(self, user: User) -> dict[str, str]:
        return self.season.headers(user)

    def household(self, index: int) -> Household:
        return self.season.households[index]


async def create_parties(
    session: AsyncSession,
    settings: Settings,
    *,
    consumer_coordinators: int = 2,
    producer_coordinators: int = 2,
    subscribed: tuple[int, ...] = (3, 3, 3),
    status: AgreementStatus = AgreementStatus.agreed,
) -> Parties:
    """100 kg of rice at 45.50 THB (4550.00 THB), ten shares of 455.00; the first households hold `subscribed`.
    Further consumer coordinators eat in the next member households."""
    season = await create_season(session, settings, shares=10, subscribed=subscribed, status=status)
    season.agreement.advance_due_on = today() + timedelta(days=20)
    consumers = [season.consumer_coordinator]
    for index in range(1, consumer_coordinators):
        user = await season.member(session, index)
        session.add(Coordinator(group_id=season.consumer_group.id, user_id=user.id, appointed_by=consumers[0].id))
        consumers.append(user)
    producers = [season.producer_coordinator]
    for index in range(1, producer_coordinators):
        user = await create_user(session, display_name=f"Producer {index + 1}")
        session.add(
            ProducerCoordinator(
                producer_group_id=season.producer_group.id, user_id=user.id, appointed_by=producers[0].id
            )
        )
        producers.append(user)
    await session.flush()
    return Parties(season=season, consumers=consumers, producers=producers)


async def pay(client: AsyncClient, parties: Parties, amount: str, household: Household | None = None) -> Response:
    """A household's payment to the group recorded by a coordinator, or without one the group paying the producer."""
    body: dict[str, Any] = {"currency": "THB", "method": "cash", "amount": amount}
    if household is None:
        body["kind"] = "group_to_producer"
    else:
        body |= {"kind": "household_to_group", "household_id": str(household.id)}
    return await client.post(
        f"{parties.url}/payments",
        json=body,
        headers={**parties.headers(parties.consumers[0]), "Idempotency-Key": str(uuid4())},
    )


async def propose(
    client: AsyncClient, parties: Parties, user: User, refund: str, *, key: str | None = None, currency: str = "THB"
) -> Response:
    return await client.post(
        f"{parties.url}/cancellations",
        json={"refund_amount": refund, "currency": currency},
        headers={**parties.headers(user), "Idempotency-Key": key or str(uuid4())},
    )


async def approve(
    client: AsyncClient, parties: Parties, cancellation_id: str, user: User, *, key: str | None = None
) -> Response:
    return await client.post(
        f"{parties.url}/cancellations/{cancellation_id}/acceptances",
        headers={**parties.headers(user), "Idempotency-Key": key or str(uuid4())},
    )


async def proposed(client: AsyncClient, parties: Parties, user: User, refund: str) -> str:
    response = await propose(client, parties, user, refund)
    assert response.status_code == 201, response.text
    cancellation_id: str = response.json()["id"]
    return cancellation_id


async def carried(client: AsyncClient, parties: Parties, refund: str) -> dict[str, Any]:
    """Proposed by the consumers' first coordinator, approved by everyone else of both quorums."""
    cancellation_id = await proposed(client, parties, parties.consumers[0], refund)
    for user in (parties.consumers[1], parties.producers[0]):
        response = await approve(client, parties, cancellation_id, user)
        assert (response.status_code, response.json()["status"]) == (200, "open"), response.text
    response = await approve(client, parties, cancellation_id, parties.producers[1])
    assert (response.status_code, response.json()["status"]) == (200, "carried"), response.text
    body: dict[str, Any] = response.json()
    return body


async def balances(session: AsyncSession, agreement_id: UUID) -> dict[tuple[str, UUID], int]:
    """Every account of the agreement with its balance, by (kind, owner), read afresh."""
    statement = (
        select(LedgerAccount.kind, LedgerAccount.owner_id, func.coalesce(func.sum(LedgerEntry.amount_minor), 0))
        .outerjoin(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.agreement_id == agreement_id)
        .group_by(LedgerAccount.kind, LedgerAccount.owner_id)
    )
    return {(str(kind), owner): int(total) for kind, owner, total in (await session.execute(statement)).all()}


async def refund_transactions(session: AsyncSession, agreement_id: UUID) -> int:
    statement = select(func.count()).where(
        LedgerTransaction.agreement_id == agreement_id, LedgerTransaction.kind == "cancellation_refund"
    )
    return int(await session.scalar(statement) or 0)
