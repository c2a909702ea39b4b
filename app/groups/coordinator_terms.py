"""Coordinator terms: one set of rules for consumer groups and producer groups alike (principle 7).

Coordinators appoint one another from the people of the group's own households; a term ends (rotation,
or stepping down) but stays in the history; the last coordinator in office always stays. Coordinators in
office are counted from the terms themselves, never kept in a counter that could drift from them: the
callers hold the group's row lock, so the appointments and ends of one group count one after the other.

Each kind of group keeps its terms in a table of its own (a CoordinatorTerm model) and says who may be
appointed; `CoordinatorTerms` applies the rules to either."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.groups.errors import (
    AlreadyCoordinator,
    CoordinatorMustBeMember,
    CoordinatorNotFound,
    LastCoordinator,
    QuorumAboveCoordinators,
    QuorumLoweringNeedsMotion,
    TermEndingNeedsMotion,
    UserNotFound,
)
from app.groups.models import CoordinatorTerm, effective_quorum

TermT = TypeVar("TermT", bound=CoordinatorTerm)

# Whether a user belongs to one of the group's member households: (session, user_id, group_id).
MemberCheck = Callable[[AsyncSession, UUID, UUID], Awaitable[bool]]


class Group(Protocol):
    """A consumer or a producer group, as the rules name it."""

    @property
    def id(self) -> UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def effective_approval_quorum(self) -> int: ...


@dataclass(frozen=True)
class NamedTerm(Generic[TermT]):
    """A term with its coordinator's display name, as the routes show it."""

    term: TermT
    display_name: str


@dataclass(frozen=True)
class CoordinatorTerms(Generic[TermT]):
    """The coordinator terms of one kind of group: `model` keeps them, `in_member_household` says whether
    a user belongs to one of the group's households (an appointee must), and `households` names those
    households in messages."""

    model: type[TermT]
    in_member_household: MemberCheck
    households: str = "household"

    # Queries

    async def current(self, session: AsyncSession, user_id: UUID, group_id: UUID) -> TermT | None:
        statement = select(self.model).where(self.model.current_of_group(group_id), self.model.user_id == user_id)
        return await session.scalar(statement)

    async def is_coordinator(self, session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
        return await self.current(session, user_id, group_id) is not None

    async def count_in_office(self, session: AsyncSession, group_id: UUID) -> int:
        """The coordinators in office now; under the group's row lock, a count no one else changes meanwhile."""
        return int(await session.scalar(select(self.model.in_office_count(group_id))) or 0)

    def history(self, group_id: UUID) -> Select[TermT]:
        return select(self.model).where(self.model.of_group(group_id))

    def groups_coordinated_by(self, user_id: UUID) -> Select[UUID]:
        """The ids of the groups of this kind the user coordinates now."""
        group_id = self.model.group_id_column()
        return select(group_id).where(self.model.user_id == user_id, self.model.ended_at.is_(None))

    async def page(self, session: AsyncSession, group_id: UUID, *, limit: int, cursor: str | None) -> CursorPage:
        """Current and past terms, in the order they were appointed, as NamedTerms."""
        page = await paginate(
            session,
            self.history(group_id),
            created_at=self.model.appointed_at,
            id_column=self.model.id,
            limit=limit,
            cursor=cursor,
        )
        names = await _display_names(session, [term.user_id for term in page.rows])
        named = [NamedTerm(term, names[term.user_id]) for term in page.rows]
        return CursorPage(named, page.has_more, page.next_cursor)

    # Rules. The callers hold the group's row lock and have made sure the caller coordinates the group.

    def found(self, session: AsyncSession, group_id: UUID, *, founder_id: UUID) -> TermT:
        """The founder's term: a group is never without a coordinator, from its first moment."""
        term = self._term(group_id, user_id=founder_id, appointed_by=founder_id)
        session.add(term)
        return term

    async def appoint(
        self, session: AsyncSession, group: Group, user_id: UUID, *, appointed_by: UUID
    ) -> NamedTerm[TermT]:
        """A term for a user who is not in office yet and belongs to one of the group's households."""
        user = await session.get(User, user_id)
        if user is None:
            raise UserNotFound(user_id)
        if await self.is_coordinator(session, user.id, group.id):
            raise AlreadyCoordinator(f"{user.display_name} already coordinates '{group.name}'.", user_id=str(user.id))
        if not await self.in_member_household(session, user.id, group.id):
            raise CoordinatorMustBeMember(
                f"{user.display_name} belongs to no {self.households} of '{group.name}'.", user_id=str(user.id)
            )
        term = self._term(group.id, user_id=user.id, appointed_by=appointed_by)
        session.add(term)
        await session.flush()
        return NamedTerm(term, user.display_name)

    async def end(
        self, session: AsyncSession, group: Group, user_id: UUID, *, ended_by: UUID, carried_by_motion: bool = False
    ) -> NamedTerm[TermT]:
        """End a current term (stepping down, or by a carried motion); it stays in the history. The last
        one stays."""
        term = await self.current(session, user_id, group.id)
        if term is None:
            raise CoordinatorNotFound(
                f"User {user_id} is not a current coordinator of '{group.name}'.", user_id=str(user_id)
            )
        if not carried_by_motion:
            quorum = group.effective_approval_quorum
            require_own_term_or_sole_decider(user_id, ended_by=ended_by, approval_quorum=quorum)
        if await self.count_in_office(session, group.id) <= 1:
            raise LastCoordinator(f"Appoint another coordinator of '{group.name}' first.")
        term.ended_at = utc_now()
        term.ended_by = ended_by
        await session.flush()
        user = await session.get_one(User, user_id)
        return NamedTerm(term, user.display_name)

    def _term(self, group_id: UUID, *, user_id: UUID, appointed_by: UUID) -> TermT:
        return self.model(**{self.model.group_column: group_id}, user_id=user_id, appointed_by=appointed_by)


def require_own_term_or_sole_decider(user_id: UUID, *, ended_by: UUID, approval_quorum: int) -> None:
    """Stepping down is one's own choice; ending another's term is a governance change, which needs the
    quorum it protects. Directly, then, only where one coordinator decides alone (a quorum of 1)."""
    if user_id != ended_by and approval_quorum > 1:
        raise TermEndingNeedsMotion(
            f"The group's decisions need {approval_quorum} approvals: ending another coordinator's term takes a "
            "motion that many coordinators approve, not one coordinator's request.",
            approval_quorum=approval_quorum,
        )


def require_quorum_within(quorum: int | None, coordinators_in_office: int) -> None:
    """An approval quorum a group chooses asks for no more coordinators than hold office; how many
    approvals a decision then needs is models.effective_quorum."""
    if quorum is not None and quorum > coordinators_in_office:
        raise QuorumAboveCoordinators(
            f"The group has {coordinators_in_office} coordinators; the quorum can be at most that.",
            coordinator_count=coordinators_in_office,
        )


def require_quorum_not_lowered(chosen: int | None, *, current: int, coordinators_in_office: int) -> None:
    """A quorum may be raised directly, but not lowered: otherwise a single coordinator of a group that
    needs two approvals could set the quorum to one and then decide alone. Lowering it needs the
    agreement of the quorum it protects: a motion carries it (app/groups/motions.py)."""
    lowered = effective_quorum(chosen, coordinators_in_office)
    if lowered < current:
        raise QuorumLoweringNeedsMotion(
            f"The group's decisions need {current} approvals; lowering that to {lowered} needs the agreement of "
            f"the {current} coordinators it protects, through a motion, not one coordinator's change.",
            approval_quorum=current,
        )


async def _display_names(session: AsyncSession, user_ids: Sequence[UUID]) -> dict[UUID, str]:
    """The users' display names in one query, for a page of terms."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {row.id: row.display_name for row in rows}
