from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import demo
from app.accounts.models import User
from app.groups.models import ConsumerGroup, GroupStatus, Membership
from app.producers.models import ProducerGroup


async def test_demo_loads_once_and_shows_groups_in_several_asean_countries(session: AsyncSession) -> None:
    first = await demo.load(session)
    users_after_first = await session.scalar(select(func.count()).select_from(User))

    second = await demo.load(session)

    groups = (await session.scalars(select(ConsumerGroup))).all()
    producer_countries = set((await session.scalars(select(ProducerGroup.country))).all())
    assert (first, second) == (True, False)
    assert await session.scalar(select(func.count()).select_from(User)) == users_after_first
    assert len(groups) == 3
    assert len({group.country for group in groups}) == 3
    assert [group.name for group in groups if group.status == GroupStatus.active] == ["Chiang Mai Organic Families"]
    assert producer_countries == {"TH", "ID"}
    for group in groups:  # the stored count is the rows' count, as the service keeps it
        rows = await session.scalar(select(func.count()).select_from(Membership).where(Membership.group_id == group.id))
        assert group.member_count == rows
        assert group.coordinator_count == 2
