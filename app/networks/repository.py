"""Queries for networks, programmes and enrolments, and the reads other domains build on: whether a user's
network reads a CBE (`reads_cbe`) and which CBEs are monitored, by country. Rules live in service.py.

A CBE is a consumer group, a producer group or a trading organisation; each keeps its own table and its
own deciders (coordinators in office; a trading organisation's owners). `CbeProfile` is what enrolment
needs of any of them, read for a whole page in a few queries."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.catalogue.models import MemberRole, TradingOrganisation, TradingOrganisationMember
from app.groups.models import ConsumerGroup, Coordinator, effective_quorum
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
from app.producers.models import ProducerCoordinator, ProducerGroup

Cbe = tuple[CbeKind, UUID]

# Each kind of CBE: its table, and how its deciders are found (the group's id column, the decider's).
CBE_TABLES: dict[CbeKind, Any] = {
    CbeKind.consumer_group: ConsumerGroup,
    CbeKind.producer_group: ProducerGroup,
    CbeKind.trading_organisation: TradingOrganisation,
}


# Networks and their members


def networks(*, country: str | None, kind: NetworkKind | None) -> Select[Network]:
    statement = select(Network)
    if country:
        statement = statement.where(Network.country == country)
    if kind:
        statement = statement.where(Network.kind == kind)
    return statement


async def get_network(session: AsyncSession, network_id: UUID) -> Network | None:
    return await session.get(Network, network_id)


async def get_network_for_update(session: AsyncSession, network_id: UUID) -> Network | None:
    # Row lock: changes to one network's members queue here, so two coordinators removing each other
    # cannot both leave. (SQLite ignores FOR UPDATE; every transaction there holds the write lock.)
    statement = select(Network).where(Network.id == network_id).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def get_member(session: AsyncSession, network_id: UUID, user_id: UUID) -> NetworkMember | None:
    statement = select(NetworkMember).where(NetworkMember.network_id == network_id, NetworkMember.user_id == user_id)
    return await session.scalar(statement)


async def coordinator_count(session: AsyncSession, network_id: UUID) -> int:
    statement = select(func.count()).where(
        NetworkMember.network_id == network_id, NetworkMember.role == NetworkRole.coordinator
    )
    return int(await session.scalar(statement) or 0)


def members(network_id: UUID) -> Select[NetworkMember]:
    return select(NetworkMember).where(NetworkMember.network_id == network_id)


async def display_names(session: AsyncSession, user_ids: Iterable[UUID]) -> dict[UUID, str]:
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {row.id: row.display_name for row in rows}


# Programmes


def programmes(network_id: UUID) -> Select[MonitoringProgramme]:
    return select(MonitoringProgramme).where(MonitoringProgramme.network_id == network_id)


async def get_programme(session: AsyncSession, programme_id: UUID, *, lock: bool = False) -> MonitoringProgramme | None:
    statement = select(MonitoringProgramme).where(MonitoringProgramme.id == programme_id)
    if lock:
        # Proposals into one programme queue here, so one CBE is never proposed twice at once.
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def programme_names(session: AsyncSession, programme_ids: Iterable[UUID]) -> dict[UUID, str]:
    wanted = set(programme_ids)
    if not wanted:
        return {}
    statement = select(MonitoringProgramme.id, MonitoringProgramme.name).where(MonitoringProgramme.id.in_(wanted))
    return {row.id: row.name for row in await session.execute(statement)}


async def network_names(session: AsyncSession, network_ids: Iterable[UUID]) -> dict[UUID, str]:
    wanted = set(network_ids)
    if not wanted:
        return {}
    statement = select(Network.id, Network.name).where(Network.id.in_(wanted))
    return {row.id: row.name for row in await session.execute(statement)}


# Enrolments


async def get_enrolment(session: AsyncSession, enrolment_id: UUID, *, lock: bool = False) -> Enrolment | None:
    statement = select(Enrolment).where(Enrolment.id == enrolment_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def open_enrolment(session: AsyncSession, programme_id: UUID, cbe: Cbe) -> Enrolment | None:
    kind, cbe_id = cbe
    statement = select(Enrolment).where(
        Enrolment.programme_id == programme_id,
        Enrolment.cbe_kind == kind,
        Enrolment.cbe_id == cbe_id,
        Enrolment.status.in_([EnrolmentStatus.proposed, EnrolmentStatus.enrolled]),
    )
    return await session.scalar(statement)


def enrolments_of_programme(programme_id: UUID, status: EnrolmentStatus | None) -> Select[Enrolment]:
    statement = select(Enrolment).where(Enrolment.programme_id == programme_id)
    return statement.where(Enrolment.status == status) if status else statement


def enrolments_of_network(network_id: UUID, status: EnrolmentStatus | None) -> Select[Enrolment]:
    statement = select(Enrolment).where(Enrolment.network_id == network_id)
    return statement.where(Enrolment.status == status) if status else statement


def enrolments_of_cbe(cbe: Cbe) -> Select[Enrolment]:
    kind, cbe_id = cbe
    return select(Enrolment).where(Enrolment.cbe_kind == kind, Enrolment.cbe_id == cbe_id)


async def has_consented(session: AsyncSession, enrolment_id: UUID, user_id: UUID) -> bool:
    statement = select(
        exists().where(EnrolmentConsent.enrolment_id == enrolment_id, EnrolmentConsent.user_id == user_id)
    )
    return bool(await session.scalar(statement))


async def consents_of(session: AsyncSession, enrolment_ids: Sequence[UUID]) -> Sequence[EnrolmentConsent]:
    if not enrolment_ids:
        return []
    statement = select(EnrolmentConsent).where(EnrolmentConsent.enrolment_id.in_(enrolment_ids))
    return (await session.scalars(statement.order_by(EnrolmentConsent.consented_at, EnrolmentConsent.user_id))).all()


# The CBEs


@dataclass(frozen=True)
class CbeProfile:
    """A CBE as enrolment sees it: its name and country, and who decides for it now."""

    kind: CbeKind
    id: UUID
    name: str
    country: str
    deciders: frozenset[UUID]  # coordinators in office; a trading organisation's owners
    chosen_quorum: int | None  # the group's own approval_quorum; a trading organisation chooses none

    @property
    def quorum(self) -> int:
        """The consents enrolment needs, as the CBE stands now (app.groups.models.effective_quorum)."""
        return effective_quorum(self.chosen_quorum, len(self.deciders))


async def lock_cbe(session: AsyncSession, cbe: Cbe) -> bool:
    """Lock the CBE's row (whether it exists): consents to its enrolments are counted one after another,
    so two last consents carry an enrolment once. Its deciders are read after the lock (see
    app.groups.repository.get_group_for_update on why)."""
    kind, cbe_id = cbe
    table = CBE_TABLES[kind]
    return await session.scalar(select(table.id).where(table.id == cbe_id).with_for_update()) is not None


async def cbe_profiles(session: AsyncSession, cbes: Iterable[Cbe]) -> dict[Cbe, CbeProfile]:
    """The profiles of the CBEs that exist, in two queries per kind whatever their number."""
    by_kind: dict[CbeKind, set[UUID]] = {}
    for kind, cbe_id in cbes:
        by_kind.setdefault(kind, set()).add(cbe_id)
    profiles: dict[Cbe, CbeProfile] = {}
    for kind, ids in by_kind.items():
        profiles |= await _profiles_of_kind(session, kind, ids)
    return profiles


async def cbe_profile(session: AsyncSession, cbe: Cbe) -> CbeProfile | None:
    return (await cbe_profiles(session, [cbe])).get(cbe)


async def _profiles_of_kind(session: AsyncSession, kind: CbeKind, ids: set[UUID]) -> dict[Cbe, CbeProfile]:
    deciders: dict[UUID, set[UUID]] = {cbe_id: set() for cbe_id in ids}
    if kind == CbeKind.trading_organisation:
        rows = await session.execute(
            select(TradingOrganisation.id, TradingOrganisation.name, TradingOrganisation.country).where(
                TradingOrganisation.id.in_(ids)
            )
        )
        found = {row.id: (row.name, row.country, None) for row in rows}
        member = TradingOrganisationMember
        owners = select(member.trading_organisation_id, member.user_id).where(
            member.trading_organisation_id.in_(ids), member.role == MemberRole.owner
        )
        for organisation_id, user_id in await session.execute(owners):
            deciders[organisation_id].add(user_id)
    else:
        group = ConsumerGroup if kind == CbeKind.consumer_group else ProducerGroup
        term = Coordinator if kind == CbeKind.consumer_group else ProducerCoordinator
        rows = await session.execute(
            select(group.id, group.name, group.country, group.approval_quorum).where(group.id.in_(ids))
        )
        found = {row.id: (row.name, row.country, row.approval_quorum) for row in rows}
        group_id = term.group_id_column()
        in_office = select(group_id, term.user_id).where(group_id.in_(ids), term.ended_at.is_(None))
        for cbe_id, user_id in await session.execute(in_office):
            deciders[cbe_id].add(user_id)
    return {
        (kind, cbe_id): CbeProfile(kind, cbe_id, name, country, frozenset(deciders[cbe_id]), quorum)
        for cbe_id, (name, country, quorum) in found.items()
    }


async def consents_in_office(session: AsyncSession, enrolment_id: UUID, deciders: frozenset[UUID]) -> int:
    """The consents that count: those of the CBE's deciders now."""
    if not deciders:
        return 0
    statement = select(func.count()).where(
        EnrolmentConsent.enrolment_id == enrolment_id, EnrolmentConsent.user_id.in_(deciders)
    )
    return int(await session.scalar(statement) or 0)


# Reads for the indicators, learning and registry


async def reads_cbe(session: AsyncSession, user_id: UUID, cbe_kind: CbeKind, cbe_id: UUID) -> bool:
    """Whether the user is a member (any role) of a network with a current enrolment of the CBE: the edge
    of a CBE's indicators. One indexed join: the CBE's current enrolments, then the user's membership."""
    statement = select(
        exists()
        .where(
            Enrolment.cbe_kind == cbe_kind,
            Enrolment.cbe_id == cbe_id,
            Enrolment.status == EnrolmentStatus.enrolled,
            NetworkMember.network_id == Enrolment.network_id,
        )
        .where(NetworkMember.user_id == user_id)
    )
    return bool(await session.scalar(statement))


def _enrolled_of_kind(kind: CbeKind, country: str | None = None) -> Select[Any]:
    """The distinct CBEs of one kind currently enrolled in at least one programme, with their country."""
    table = CBE_TABLES[kind]
    statement = (
        select(Enrolment.cbe_id, table.country)
        .join(table, table.id == Enrolment.cbe_id)
        .where(Enrolment.cbe_kind == kind, Enrolment.status == EnrolmentStatus.enrolled)
        .distinct()
    )
    return statement.where(table.country == country) if country else statement


async def monitored_counts_by_country(session: AsyncSession) -> dict[str, int]:
    """The CBEs currently enrolled in at least one programme, each counted once, by the CBE's country."""
    counts: Counter[str] = Counter()
    for kind in CbeKind:
        enrolled = _enrolled_of_kind(kind).subquery()
        statement = select(enrolled.c.country, func.count()).group_by(enrolled.c.country)
        for country, number in await session.execute(statement):
            counts[country] += number
    return dict(counts)


async def monitored_cbes(session: AsyncSession, *, country: str | None = None) -> list[Cbe]:
    """The CBEs currently enrolled in at least one programme (in one country, if given), each once."""
    found: list[Cbe] = []
    for kind in CbeKind:
        rows = await session.execute(_enrolled_of_kind(kind, country))
        found.extend(sorted((kind, row.cbe_id) for row in rows))
    return found
