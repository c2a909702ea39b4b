"""Plan capacity under concurrent acceptances, with real commits on separate connections."""

import asyncio

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agreements.models import Agreement, AgreementStatus
from app.core.config import Settings
from app.plans.models import PlanItem
from tests.agreements.builders import create_partnership


async def test_concurrent_acceptances_never_take_more_than_the_plan_grows(
    committing_client: AsyncClient, committing_session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with committing_session_factory.begin() as session:
        partnerships = [await create_partnership(session, settings) for _ in range(4)]
        shared = partnerships[0]
        for partnership in partnerships[1:]:  # four consumer groups, one producer group's plan
            partnership.plan, partnership.items = shared.plan, shared.items
            partnership.producer_coordinator = shared.producer_coordinator
    proposals = [
        (await committing_client.post("/v1/agreements", json=p.proposal(rice="400.000"), headers=p.first)).json()["id"]
        for p in partnerships
    ]
    # Warm the pool, so the acceptances below really run side by side.
    await asyncio.gather(*[committing_client.get("/healthz") for _ in range(4)], committing_client.get("/readyz"))
    responses = await asyncio.gather(
        *[
            committing_client.post(
                f"/v1/agreements/{agreement_id}/acceptances", json={"version": 1}, headers=shared.producer
            )
            for agreement_id in proposals
        ]
    )

    # 1000 kg of rice grows: two agreements of 400 kg fit, a third does not.
    assert sorted(r.status_code for r in responses) == [200, 200, 409, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"plan-capacity-exceeded"}
    async with committing_session_factory() as session:
        committed = await session.scalar(select(PlanItem.committed_base).where(PlanItem.id == shared.items[0].id))
        agreed = (await session.scalars(select(Agreement).where(Agreement.status == AgreementStatus.agreed))).all()
        assert (committed, len(agreed)) == (800_000, 2)
