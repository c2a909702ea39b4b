"""Networks, their members and monitoring programmes, and the enrolment of CBEs by the CBE's consent.

A network's coordinators manage it; it always keeps one. Its coordinators propose to enrol a CBE (a consumer
group, a producer group or a trading organisation) in a programme; the CBE consents by its quorum: each of its
coordinators in office consents, a consent counting only while its coordinator holds office, and the consent
that brings the count to the CBE's effective quorum (as it stands when counted) enrols it, in the same
transaction. Every consent locks the CBE's row first, so two last consents carry an enrolment once.

Declining a proposal or withdrawing an enrolment only stops sharing, so one person suffices: any one of the
CBE's coordinators, or one of the network's. The history stays; the CBE may be enrolled again later."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.principal import Principal
from app.catalogue.errors import TradingOrganisationNotFound
from app.core.db import utc_now
from app.core.errors import DomainError
from app.core.pagination import paginate
from app.core.schemas import Page
from app.groups.errors import GroupNotFound, UserNotFound
from app.networks import policies, repository
from app.networks.errors import (
    AlreadyNetworkMember,
    EnrolmentAlreadyConsented,
    EnrolmentAlreadyOpen,
    EnrolmentEnded,
    EnrolmentNotFound,
    EnrolmentNotProposed,
    LastNetworkCoordinator,
    NetworkMemberNotFound,
    NetworkNotFound,
    NotNetworkCoordinator,
    ProgrammeEnded,
    ProgrammeNotFound,
)
from app.networks.models import (
    CbeKind,
    Enrolment,
    EnrolmentConsent,
    EnrolmentStatus,
    MonitoringProgramme,
    Network,
    NetworkKind,
    NetworkMember,
    NetworkRole,
)
from app.networks.repository import Cbe, CbeProfile
from app.networks.schemas import (
    EnrolmentConsentRead,
    EnrolmentCreate,
    EnrolmentRead,
    NetworkCreate,
    NetworkEnrolmentCreate,
    NetworkMemberCreate,
    NetworkMemberRead,
    NetworkMemberUpdate,
    NetworkRead,
    ProgrammeCreate,
    ProgrammeRead,
)
from app.outbox import events as outbox
from app.outbox.models import OrganisationKind
from app.producers.errors import ProducerGroupNotFound

CBE_NOT_FOUND: dict[CbeKind, Callable[[UUID], DomainError]] = {
    CbeKind.consumer_group: GroupNotFound,
    CbeKind.producer_group: ProducerGroupNotFound,
    CbeKind.trading_organisation: TradingOrganisationNotFound,
}


# Networks


async def create_network(session: AsyncSession, principal: Principal, data: NetworkCreate) -> Network:
    """Found a network; its founder is its first coordinator."""
    network = Network(**data.model_dump(), created_by=principal.user_id)
    session.add(network)
    await session.flush()
    session.add(
        NetworkMember(
            network_id=network.id, user_id=principal.user_id, role=NetworkRole.coordinator, added_by=principal.user_id
        )
    )
    await session.flush()
    return network


async def list_networks(
    session: AsyncSession, *, country: str | None, kind: NetworkKind | None, limit: int, cursor: str | None
) -> Page[NetworkRead]:
    statement = repository.networks(country=country, kind=kind)
    page = await paginate(
        session, statement, created_at=Network.created_at, id_column=Network.id, limit=limit, cursor=cursor
    )
    return page.to(NetworkRead)


async def get_network(session: AsyncSession, network_id: UUID) -> Network:
    network = await repository.get_network(session, network_id)
    if network is None:
        raise NetworkNotFound(network_id)
    return network


async def _locked_network(session: AsyncSession, network_id: UUID) -> Network:
    network = await repository.get_network_for_update(session, network_id)
    if network is None:
        raise NetworkNotFound(network_id)
    return network


# Members


async def add_member(
    session: AsyncSession, principal: Principal, *, network_id: UUID, data: NetworkMemberCreate
) -> NetworkMemberRead:
    network = await _locked_network(session, network_id)
    await policies.require_coordinator(session, principal, network)
    user = await session.get(User, data.user_id)
    if user is None:
        raise UserNotFound(data.user_id)
    existing = await repository.get_member(session, network.id, user.id)
    if existing is not None:
        raise AlreadyNetworkMember(
            f"{user.display_name} is a {existing.role} of '{network.name}' already; change the role instead.",
            user_id=str(user.id),
            role=existing.role.value,
        )
    member = NetworkMember(network_id=network.id, user_id=user.id, role=data.role, added_by=principal.user_id)
    session.add(member)
    await session.flush()
    return _member_read(member, user.display_name)


async def change_role(
    session: AsyncSession, principal: Principal, *, network_id: UUID, user_id: UUID, data: NetworkMemberUpdate
) -> NetworkMemberRead:
    """A coordinator changes a member's role; the last coordinator keeps theirs."""
    network = await _locked_network(session, network_id)
    await policies.require_coordinator(session, principal, network)
    member = await _member(session, network, user_id)
    if member.role == NetworkRole.coordinator and data.role != NetworkRole.coordinator:
        await _require_another_coordinator(session, network)
    member.role = data.role
    await session.flush()
    return _member_read(member, (await repository.display_names(session, [user_id]))[user_id])


async def remove_member(session: AsyncSession, principal: Principal, *, network_id: UUID, user_id: UUID) -> None:
    """A coordinator removes a member, or a member leaves; the last coordinator stays."""
    network = await _locked_network(session, network_id)
    if user_id == principal.user_id:
        member = await policies.require_member(session, principal, network)
    else:
        await policies.require_coordinator(session, principal, network)
        member = await _member(session, network, user_id)
    if member.role == NetworkRole.coordinator:
        await _require_another_coordinator(session, network)
    await session.delete(member)
    await session.flush()


async def list_members(
    session: AsyncSession, principal: Principal, *, network_id: UUID, limit: int, cursor: str | None
) -> Page[NetworkMemberRead]:
    """The network's members, in the order they joined; for its members only."""
    network = await get_network(session, network_id)
    await policies.require_member(session, principal, network)
    page = await paginate(
        session,
        repository.members(network.id),
        created_at=NetworkMember.created_at,
        id_column=NetworkMember.id,
        limit=limit,
        cursor=cursor,
    )
    names = await repository.display_names(session, [member.user_id for member in page.rows])
    return Page[NetworkMemberRead](
        data=[_member_read(member, names[member.user_id]) for member in page.rows],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


async def _member(session: AsyncSession, network: Network, user_id: UUID) -> NetworkMember:
    member = await repository.get_member(session, network.id, user_id)
    if member is None:
        raise NetworkMemberNotFound(network.id, user_id)
    return member


async def _require_another_coordinator(session: AsyncSession, network: Network) -> None:
    # Counted under the network's row lock: two coordinators stepping down at once cannot both go.
    if await repository.coordinator_count(session, network.id) <= 1:
        raise LastNetworkCoordinator(f"'{network.name}' needs a coordinator: appoint another one first.")


def _member_read(member: NetworkMember, display_name: str) -> NetworkMemberRead:
    return NetworkMemberRead(
        user_id=member.user_id,
        display_name=display_name,
        role=member.role,
        added_by=member.added_by,
        created_at=member.created_at,
    )


# Programmes


async def create_programme(
    session: AsyncSession, principal: Principal, *, network_id: UUID, data: ProgrammeCreate
) -> MonitoringProgramme:
    network = await get_network(session, network_id)
    await policies.require_coordinator(session, principal, network)
    programme = MonitoringProgramme(network_id=network.id, created_by=principal.user_id, **data.model_dump())
    session.add(programme)
    await session.flush()
    return programme


async def list_programmes(
    session: AsyncSession, *, network_id: UUID, limit: int, cursor: str | None
) -> Page[ProgrammeRead]:
    network = await get_network(session, network_id)
    page = await paginate(
        session,
        repository.programmes(network.id),
        created_at=MonitoringProgramme.created_at,
        id_column=MonitoringProgramme.id,
        limit=limit,
        cursor=cursor,
    )
    return page.to(ProgrammeRead)


async def get_programme(session: AsyncSession, programme_id: UUID, *, lock: bool = False) -> MonitoringProgramme:
    programme = await repository.get_programme(session, programme_id, lock=lock)
    if programme is None:
        raise ProgrammeNotFound(programme_id)
    return programme


# Enrolments


async def propose_enrolment(
    session: AsyncSession, principal: Principal, *, programme_id: UUID, data: EnrolmentCreate
) -> EnrolmentRead:
    """A network coordinator proposes to enrol a CBE in a programme; it is enrolled once the CBE consents."""
    programme = await get_programme(session, programme_id, lock=True)
    network = await get_network(session, programme.network_id)
    await policies.require_coordinator(session, principal, network)
    if programme.ends_on is not None and programme.ends_on < utc_now().date():
        raise ProgrammeEnded(
            f"'{programme.name}' ended on {programme.ends_on}; it enrols no one new.", programme_id=str(programme.id)
        )
    cbe = await _cbe(session, (data.cbe_kind, data.cbe_id))
    if (open_enrolment := await repository.open_enrolment(session, programme.id, (cbe.kind, cbe.id))) is not None:
        raise EnrolmentAlreadyOpen(
            f"'{cbe.name}' is {open_enrolment.status} in '{programme.name}' already.",
            enrolment_id=str(open_enrolment.id),
            status=open_enrolment.status.value,
        )
    enrolment = Enrolment(
        programme_id=programme.id,
        network_id=network.id,
        cbe_kind=cbe.kind,
        cbe_id=cbe.id,
        proposed_by=principal.user_id,
        status=EnrolmentStatus.proposed,
    )
    session.add(enrolment)
    await session.flush()
    await _announce(session, enrolment, "enrolment.proposed")
    return await _read(session, enrolment, cbe)


async def propose_network_enrolment(
    session: AsyncSession, principal: Principal, *, network_id: UUID, data: NetworkEnrolmentCreate
) -> EnrolmentRead:
    """A proposal through the network's own path, naming the programme in the body: one of its own."""
    network = await get_network(session, network_id)
    programme = await repository.get_programme(session, data.programme_id)
    if programme is None or programme.network_id != network.id:
        raise ProgrammeNotFound(data.programme_id)
    proposal = EnrolmentCreate(cbe_kind=data.cbe_kind, cbe_id=data.cbe_id)
    return await propose_enrolment(session, principal, programme_id=programme.id, data=proposal)


async def consent(session: AsyncSession, principal: Principal, *, enrolment_id: UUID) -> EnrolmentRead:
    """A coordinator in office of the CBE consents; the consent reaching the CBE's quorum enrols it."""
    enrolment = await _visible_enrolment(session, principal, enrolment_id)
    cbe_key = (enrolment.cbe_kind, enrolment.cbe_id)
    # The CBE's row first, then the enrolment's: every path that counts consents takes them in this order.
    await repository.lock_cbe(session, cbe_key)
    locked = await repository.get_enrolment(session, enrolment.id, lock=True)
    if locked is None:
        raise EnrolmentNotFound(enrolment_id)
    cbe = await _cbe(session, cbe_key)
    policies.require_cbe_decider(principal, cbe)
    if locked.status != EnrolmentStatus.proposed:
        raise EnrolmentNotProposed(
            f"Enrolment {locked.id} is {locked.status}: there is nothing to consent to.",
            enrolment_id=str(locked.id),
            status=locked.status.value,
        )
    if await repository.has_consented(session, locked.id, principal.user_id):
        raise EnrolmentAlreadyConsented(f"You already consented to enrolment {locked.id}.", enrolment_id=str(locked.id))
    session.add(EnrolmentConsent(enrolment_id=locked.id, user_id=principal.user_id))
    await session.flush()
    if await repository.consents_in_office(session, locked.id, cbe.deciders) >= cbe.quorum:
        locked.status = EnrolmentStatus.enrolled
        locked.enrolled_at = utc_now()
        await session.flush()
        await _announce(session, locked, "enrolment.enrolled")
    return await _read(session, locked, cbe)


async def withdraw(session: AsyncSession, principal: Principal, *, enrolment_id: UUID) -> EnrolmentRead:
    """End an open enrolment. One of the CBE's coordinators declines a proposal or withdraws an enrolment;
    one of the network's coordinators withdraws either. Sharing stops at once; the history stays."""
    enrolment = await _visible_enrolment(session, principal, enrolment_id)
    locked = await repository.get_enrolment(session, enrolment.id, lock=True)
    if locked is None:
        raise EnrolmentNotFound(enrolment_id)
    cbe = await _cbe(session, (locked.cbe_kind, locked.cbe_id))
    for_cbe = principal.user_id in cbe.deciders
    if not for_cbe:
        member = await repository.get_member(session, locked.network_id, principal.user_id)
        if member is None or member.role != NetworkRole.coordinator:
            raise NotNetworkCoordinator("Only the network's coordinators or the CBE's may end an enrolment.")
    if locked.status not in (EnrolmentStatus.proposed, EnrolmentStatus.enrolled):
        raise EnrolmentEnded(
            f"Enrolment {locked.id} was {locked.status} already; propose a new one to enrol again.",
            enrolment_id=str(locked.id),
            status=locked.status.value,
        )
    declined = for_cbe and locked.status == EnrolmentStatus.proposed
    locked.status = EnrolmentStatus.declined if declined else EnrolmentStatus.withdrawn
    locked.withdrawn_at = utc_now()
    locked.withdrawn_by = principal.user_id
    await session.flush()
    await _announce(session, locked, "enrolment.declined" if declined else "enrolment.withdrawn")
    return await _read(session, locked, cbe)


async def get_enrolment(session: AsyncSession, principal: Principal, *, enrolment_id: UUID) -> EnrolmentRead:
    enrolment = await _visible_enrolment(session, principal, enrolment_id)
    return (await _reads(session, [enrolment]))[0]


async def list_programme_enrolments(
    session: AsyncSession,
    principal: Principal,
    *,
    programme_id: UUID,
    status: EnrolmentStatus | None,
    limit: int,
    cursor: str | None,
) -> Page[EnrolmentRead]:
    """The programme's enrolments, oldest proposal first; for the network's members."""
    programme = await get_programme(session, programme_id)
    await policies.require_member(session, principal, await get_network(session, programme.network_id))
    return await _page(session, repository.enrolments_of_programme(programme.id, status), limit=limit, cursor=cursor)


async def list_network_enrolments(
    session: AsyncSession,
    principal: Principal,
    *,
    network_id: UUID,
    status: EnrolmentStatus | None,
    limit: int,
    cursor: str | None,
) -> Page[EnrolmentRead]:
    """The enrolments of all the network's programmes, oldest proposal first; for its members."""
    network = await get_network(session, network_id)
    await policies.require_member(session, principal, network)
    return await _page(session, repository.enrolments_of_network(network.id, status), limit=limit, cursor=cursor)


async def list_cbe_enrolments(
    session: AsyncSession, principal: Principal, *, cbe_kind: CbeKind, cbe_id: UUID, limit: int, cursor: str | None
) -> Page[EnrolmentRead]:
    """Every enrolment of the CBE, in any network, oldest proposal first; for its coordinators."""
    cbe = await _cbe(session, (cbe_kind, cbe_id))
    policies.require_cbe_decider(principal, cbe)
    return await _page(session, repository.enrolments_of_cbe((cbe.kind, cbe.id)), limit=limit, cursor=cursor)


async def _visible_enrolment(session: AsyncSession, principal: Principal, enrolment_id: UUID) -> Enrolment:
    enrolment = await repository.get_enrolment(session, enrolment_id)
    if enrolment is None:
        raise EnrolmentNotFound(enrolment_id)
    cbe = await repository.cbe_profile(session, (enrolment.cbe_kind, enrolment.cbe_id))
    await policies.require_enrolment_reader(session, principal, enrolment, cbe)
    return enrolment


async def _cbe(session: AsyncSession, cbe: Cbe) -> CbeProfile:
    profile = await repository.cbe_profile(session, cbe)
    if profile is None:
        kind, cbe_id = cbe
        raise CBE_NOT_FOUND[kind](cbe_id)
    return profile


async def _announce(session: AsyncSession, enrolment: Enrolment, event_type: str) -> None:
    """The CBE hears of what concerns it: a proposal awaiting its consent, and each change after."""
    data: dict[str, Any] = {
        "enrolment": {
            "id": str(enrolment.id),
            "status": enrolment.status.value,
            "programme_id": str(enrolment.programme_id),
            "network_id": str(enrolment.network_id),
            "cbe_kind": enrolment.cbe_kind.value,
            "cbe_id": str(enrolment.cbe_id),
        }
    }
    organisation = OrganisationKind(enrolment.cbe_kind.value)
    await outbox.emit(session, event_type, data, audience=[(organisation, enrolment.cbe_id)])


async def _page(session: AsyncSession, statement: Any, *, limit: int, cursor: str | None) -> Page[EnrolmentRead]:
    page = await paginate(
        session, statement, created_at=Enrolment.proposed_at, id_column=Enrolment.id, limit=limit, cursor=cursor
    )
    return Page[EnrolmentRead](
        data=await _reads(session, page.rows), has_more=page.has_more, next_cursor=page.next_cursor
    )


async def _read(session: AsyncSession, enrolment: Enrolment, cbe: CbeProfile) -> EnrolmentRead:
    return (await _reads(session, [enrolment], known={(cbe.kind, cbe.id): cbe}))[0]


async def _reads(
    session: AsyncSession, enrolments: Any, *, known: dict[Cbe, CbeProfile] | None = None
) -> list[EnrolmentRead]:
    """The enrolments with their CBEs, programmes, networks and consents: a few queries per page, whatever
    its length. Each consent is marked with whether it counts now."""
    if not enrolments:
        return []
    wanted = {(enrolment.cbe_kind, enrolment.cbe_id) for enrolment in enrolments}
    cbes = known or {}
    cbes = cbes | await repository.cbe_profiles(session, wanted - set(cbes))
    programmes = await repository.programme_names(session, [enrolment.programme_id for enrolment in enrolments])
    networks = await repository.network_names(session, [enrolment.network_id for enrolment in enrolments])
    consents = await repository.consents_of(session, [enrolment.id for enrolment in enrolments])
    reads = []
    for enrolment in enrolments:
        cbe = cbes[(enrolment.cbe_kind, enrolment.cbe_id)]
        reads.append(
            EnrolmentRead(
                id=enrolment.id,
                programme_id=enrolment.programme_id,
                programme_name=programmes[enrolment.programme_id],
                network_id=enrolment.network_id,
                network_name=networks[enrolment.network_id],
                cbe_kind=enrolment.cbe_kind,
                cbe_id=enrolment.cbe_id,
                cbe_name=cbe.name,
                cbe_country=cbe.country,
                status=enrolment.status,
                consents_needed=cbe.quorum,
                consents=[
                    EnrolmentConsentRead(
                        user_id=consent.user_id,
                        consented_at=consent.consented_at,
                        in_office=consent.user_id in cbe.deciders,
                    )
                    for consent in consents
                    if consent.enrolment_id == enrolment.id
                ],
                proposed_by=enrolment.proposed_by,
                proposed_at=enrolment.proposed_at,
                enrolled_at=enrolment.enrolled_at,
                withdrawn_by=enrolment.withdrawn_by,
                withdrawn_at=enrolment.withdrawn_at,
            )
        )
    return reads
