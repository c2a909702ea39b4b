"""The reads other domains build on: whether a user's network reads a CBE, and the monitored CBEs by country.
Only current enrolments count, each CBE once. Built through the service, without HTTP."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.principal import Principal
from app.networks import repository, service
from app.networks.models import CbeKind, MonitoringProgramme, NetworkRole
from app.networks.schemas import EnrolmentCreate
from tests.catalogue.builders import create_organisation
from tests.factories import create_group, create_user
from tests.networks.builders import add_member, create_network, create_programme, group_coordinators
from tests.producers.builders import create_producer_group


def as_user(user: User) -> Principal:
    return Principal(user_id=user.id)


async def propose(
    session: AsyncSession, programme: MonitoringProgramme, coordinator: User, kind: CbeKind, cbe_id: UUID
) -> UUID:
    data = EnrolmentCreate(cbe_kind=kind, cbe_id=cbe_id)
    return (await service.propose_enrolment(session, as_user(coordinator), programme_id=programme.id, data=data)).id


async def enrol(
    session: AsyncSession, programme: MonitoringProgramme, coordinator: User, kind: CbeKind, cbe_id: UUID, by: User
) -> UUID:
    """Proposed by the network's coordinator, consented by the CBE's one decider."""
    enrolment_id = await propose(session, programme, coordinator, kind, cbe_id)
    assert (await service.consent(session, as_user(by), enrolment_id=enrolment_id)).status == "enrolled"
    return enrolment_id


async def test_a_member_of_any_role_reads_an_enrolled_cbe_and_no_one_else_does(session: AsyncSession) -> None:
    coordinator, analyst, outsider = await create_user(session), await create_user(session), await create_user(session)
    network = await create_network(session, coordinator=coordinator)
    await add_member(session, network, analyst, NetworkRole.analyst)
    await create_network(session, coordinator=outsider)
    programme = await create_programme(session, network)
    group = await create_group(session, coordinators=1)
    (decider,) = await group_coordinators(session, group)
    proposed_group = await create_group(session, coordinators=1)
    await propose(session, programme, coordinator, CbeKind.consumer_group, proposed_group.id)
    enrolment_id = await enrol(session, programme, coordinator, CbeKind.consumer_group, group.id, decider)

    reads = [
        await repository.reads_cbe(session, user.id, CbeKind.consumer_group, group.id)
        for user in (coordinator, analyst, outsider)
    ]
    proposed_only = await repository.reads_cbe(session, analyst.id, CbeKind.consumer_group, proposed_group.id)
    other_kind = await repository.reads_cbe(session, analyst.id, CbeKind.producer_group, group.id)
    await service.withdraw(session, as_user(decider), enrolment_id=enrolment_id)
    after_withdrawal = await repository.reads_cbe(session, analyst.id, CbeKind.consumer_group, group.id)

    assert reads == [True, True, False]
    assert (proposed_only, other_kind, after_withdrawal) == (False, False, False)


async def test_monitored_counts_count_each_enrolled_cbe_once_by_its_country(session: AsyncSession) -> None:
    coordinator = await create_user(session)
    network = await create_network(session, coordinator=coordinator)
    first, second = await create_programme(session, network), await create_programme(session, network)
    other_network = await create_network(session, coordinator=coordinator, country="VN")
    third = await create_programme(session, other_network)
    thai = await create_group(session, coordinators=1, country="TH")
    (thai_decider,) = await group_coordinators(session, thai)
    farmer = await create_user(session)
    vietnamese = await create_producer_group(session, coordinators=[farmer], country="VN")
    owner = await create_user(session)
    shop = await create_organisation(session, owner=owner, country="TH")
    proposed = await create_group(session, coordinators=1, country="LA")
    withdrawn = await create_group(session, coordinators=1, country="KH")
    (withdrawn_decider,) = await group_coordinators(session, withdrawn)
    # The Thai group in three programmes of two networks: still one monitored CBE.
    for programme in (first, second, third):
        await enrol(session, programme, coordinator, CbeKind.consumer_group, thai.id, thai_decider)
    await enrol(session, first, coordinator, CbeKind.producer_group, vietnamese.id, farmer)
    await enrol(session, second, coordinator, CbeKind.trading_organisation, shop.id, owner)
    await propose(session, first, coordinator, CbeKind.consumer_group, proposed.id)
    ended = await enrol(session, first, coordinator, CbeKind.consumer_group, withdrawn.id, withdrawn_decider)
    await service.withdraw(session, as_user(coordinator), enrolment_id=ended)

    counts = await repository.monitored_counts_by_country(session)
    everywhere = await repository.monitored_cbes(session)
    in_thailand = await repository.monitored_cbes(session, country="TH")

    assert counts == {"TH": 2, "VN": 1}
    assert sorted(everywhere) == sorted(
        [
            (CbeKind.consumer_group, thai.id),
            (CbeKind.producer_group, vietnamese.id),
            (CbeKind.trading_organisation, shop.id),
        ]
    )
    assert sorted(in_thailand) == sorted([(CbeKind.consumer_group, thai.id), (CbeKind.trading_organisation, shop.id)])
    assert await repository.monitored_cbes(session, country="KH") == []
