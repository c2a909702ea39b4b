"""learning_counts, which the indicators read: events held by a CBE or attended by its people, and its
people's attendances, within the dates."""

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.gatherings.models import GatheringKind
from app.learning.repository import learning_counts
from app.networks.models import CbeKind
from tests.catalogue.builders import create_organisation
from tests.factories import create_group, create_user, first_member
from tests.gatherings.builders import create_gathering, in_days
from tests.learning.builders import add_signup, create_learning_event, create_network
from tests.producers.builders import create_household, create_producer_group
from tests.registry.builders import household_of


def days_around(*offsets: int) -> tuple[date, date]:
    return in_days(offsets[0]).date(), in_days(offsets[1]).date()


async def test_a_consumer_groups_people_attendances_and_the_trainings_it_held_are_counted(
    session: AsyncSession,
) -> None:
    group = await create_group(session, households=3, country="TH")
    people = [await first_member(session, await household_of(session, group, index)) for index in range(3)]
    outsider = await create_user(session)
    network = await create_network(session)
    first = await create_learning_event(session, network=network, starts_at=in_days(-20))
    second = await create_learning_event(session, starts_at=in_days(-10))
    outside_the_dates = await create_learning_event(session, network=network, starts_at=in_days(-60))
    for person in people[:2]:
        await add_signup(session, first, person, attended=True)
    await add_signup(session, first, outsider, attended=True)  # not the group's
    await add_signup(session, second, people[0], attended=True)
    await add_signup(session, second, people[1], attended=False)  # signed up, stayed away
    await add_signup(session, second, people[2])  # attendance never recorded
    await add_signup(session, outside_the_dates, people[2], attended=True)
    coordinator = await first_member(session, await household_of(session, group))
    await create_gathering(
        session, posted_by=coordinator, consumer_group=group, kind=GatheringKind.learning, starts_at=in_days(-5)
    )
    await create_gathering(  # a meeting is no learning event
        session, posted_by=coordinator, consumer_group=group, kind=GatheringKind.meeting, starts_at=in_days(-5)
    )

    counts = await learning_counts(session, CbeKind.consumer_group, group.id, *days_around(-30, 0))

    assert counts == (3, 3)  # first, second and the group's own training; two attendances at first, one at second


async def test_a_producer_groups_farming_households_count_and_days_are_inclusive(session: AsyncSession) -> None:
    farmer = await create_user(session)
    coordinator = await create_user(session)
    group = await create_producer_group(
        session, coordinators=[coordinator], households=[await create_household(session, farmer)]
    )
    event = await create_learning_event(session, starts_at=in_days(-3))
    await add_signup(session, event, farmer, attended=True)
    await add_signup(session, event, coordinator, attended=True)  # coordinates, but farms in no member household
    day = event.starts_at.date()

    on_the_day = await learning_counts(session, CbeKind.producer_group, group.id, day, day)
    the_day_after = await learning_counts(session, CbeKind.producer_group, group.id, day + timedelta(days=1), day)

    assert on_the_day == (1, 1)
    assert the_day_after == (0, 0)


async def test_a_trading_organisations_members_count(session: AsyncSession) -> None:
    owner, member = await create_user(session), await create_user(session)
    organisation = await create_organisation(session, owner=owner, members=(member,))
    event = await create_learning_event(session, starts_at=in_days(-2))
    await add_signup(session, event, owner, attended=True)
    await add_signup(session, event, member, attended=True)

    counts = await learning_counts(session, CbeKind.trading_organisation, organisation.id, *days_around(-7, 0))

    assert counts == (1, 2)
