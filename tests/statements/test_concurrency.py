"""Two treasurers confirming one line at once record it once; two uploads of one statement at once add
its lines once. Real commits on separate connections (on PostgreSQL, truly side by side)."""

import asyncio
from uuid import uuid4

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.collection.models import PayerKind
from app.core.config import Settings
from app.groups.models import Coordinator
from app.ledger.models import LedgerTransaction
from app.statements.models import StatementLine
from tests.factories import create_user, warm_pool
from tests.harvests.builders import create_season
from tests.statements.builders import due_text, give_reference, lines_of, statement, upload


async def test_two_treasurers_confirming_one_line_at_once_record_it_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings)
        reference = await give_reference(session, season.agreement.id, PayerKind.household, season.households[0].id)
        second_treasurer = await create_user(session)
        session.add(
            Coordinator(
                group_id=season.consumer_group.id, user_id=second_treasurer.id, appointed_by=second_treasurer.id
            )
        )
    content = statement(
        "camt053.xml",
        amount_0=due_text(season, 0),
        reference_0=reference,
        amount_1="1.00",
        amount_foreign="1.00",
        reference_foreign="x",
    )
    assert (await upload(committing_client, season, content)).status_code == 201
    araya, *_ = await lines_of(committing_client, season)
    await warm_pool(committing_client, 4)

    responses = await asyncio.gather(
        *[
            committing_client.post(
                f"/v1/statement-lines/{araya['id']}/confirmations",
                json={},
                headers={**season.headers(user), "Idempotency-Key": str(uuid4())},
            )
            for user in (season.consumer_coordinator, second_treasurer, season.consumer_coordinator)
        ]
    )

    assert [response.status_code for response in responses] == [200, 200, 200], [r.text for r in responses]
    assert len({response.json()["ledger_transaction_id"] for response in responses}) == 1
    async with committing_session_factory() as session:
        recorded = await session.scalar(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(
                LedgerTransaction.agreement_id == season.agreement.id, LedgerTransaction.kind == "household_to_group"
            )
        )
        assert recorded == 1


async def test_two_uploads_of_one_statement_at_once_add_its_lines_once(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        season = await create_season(session, settings)
    content = statement(
        "camt053.xml", amount_0="1.00", reference_0="a", amount_1="2.00", amount_foreign="3.00", reference_foreign="b"
    )
    await warm_pool(committing_client, 3)

    responses = await asyncio.gather(*[upload(committing_client, season, content) for _ in range(3)])

    assert [response.status_code for response in responses] == [201] * 3
    assert sorted(response.json()["duplicates"] for response in responses) == [0, 4, 4]
    async with committing_session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(StatementLine)) == 4
