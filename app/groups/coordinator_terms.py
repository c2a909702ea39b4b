"""Coordinator terms: one set of rules for consumer groups and producer groups alike (principle 7).

Coordinators appoint one another from the people of the group's own households; a term ends (rotation,
or stepping down) but stays in the history; the last coordinator in office always stays. Coordinators in
office are counted from the terms themselves, never kept in a counter that could drift from them: the
callers hold the group's row lock, so the appointments and ends of one group count one after the other.

Each kind of group keeps its terms in a table of its own (a CoordinatorTerm model) and its households in
another (consumer memberships, farming households); `CoordinatorTerms` applies the rules to either.

A term ends with its coordinator's membership: whoever stops belonging to every household of the group
(the household leaves or is removed, or they leave the household) stops coordinating it, in the same
transaction, unless no coordinator would remain: then the change is refused (`last-coordinator`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

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
from app.groups.models import CoordinatorTerm, HouseholdMember, effective_quorum

TermT = TypeVar("TermT", bound=CoordinatorTerm)


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


# Every kind of group's terms, each added as it is defined: one of a household's people leaving it may
# end terms in groups of either kind, though households know nothing of producer groups.
KINDS: list["CoordinatorTerms[Any]"] = []


@dataclass(frozen=True)
class CoordinatorTerms(Generic[TermT]):
    """The coordinator terms of one kind of group: `model` keeps them, `group_model` is the group (whose
    row the rules lock), `membership` its member households (an appointee must belong to one, and a
    coordinator who no longer does stops coordinating), and `households` names those households in messages."""

    model: type[TermT]
    group_model: type[Any]
    membership: type[Any]
    households: str = "household"

    def __post_init__(self) -> None:
        KINDS.append(self)

    # Queries

    def _member_households(self, group_id: UUID, *, apart_from: UUID | None = None) -> Select[Any]:
        group_column: InstrumentedAttribute[UUID] = getattr(self.membership, self.membership.group_column)
        statement: Select[Any] = select(self.membership.household_id).where(group_column == group_id)
        if apart_from is not None:
            statement = statement.where(self.membership.household_id != apart_from)
        return statement

    async def in_member_household(self, session: AsyncSession, user_id: UUID, group_id: UUID) -> bool:
        statement = select(
            exists().where(
                HouseholdMember.user_id == user_id,
                HouseholdMember.household_id.in_(self._member_households(group_id)),
            )
        )
        return bool(await session.scalar(statement))

    def coordinating(self, group_id: UUID) -> Select[UUID]:
        """The users coordinating the group now."""
        return select(self.model.user_id).where(self.model.current_of_group(group_id))

    async def in_office(self, session: AsyncSession, group_id: UUID) -> set[UUID]:
        return set((await session.scalars(self.coordinating(group_id))).all())

    async def belonging(self, session: AsyncSession, group_id: UUID, *, apart_from: UUID | None = None) -> set[UUID]:
        """The coordinators in office who belong to a member household of the group now (to one other than
        `apart_from`): taken before a change to its households or their people, for end_terms_of_departed."""
        belongs = select(HouseholdMember.user_id).where(
            HouseholdMember.household_id.in_(self._member_households(group_id, apart_from=apart_from))
        )
        statement = select(self.model.user_id).where(
            self.model.current_of_group(group_id), self.model.user_id.in_(belongs)
        )
        return set((await session.scalars(statement)).all())

    async def lock_groups_of_household(self, session: AsyncSession, household_id: UUID) -> list[Any]:
        """The groups of this kind the household belongs to, their rows locked in id order (the order
        every path that locks several takes), so their terms change one transaction after another."""
        group_column = getattr(self.membership, self.membership.group_column)
        ids = select(group_column).where(self.membership.household_id == household_id)
        locked = select(self.group_model.id).where(self.group_model.id.in_(ids)).order_by(self.group_model.id)
        group_ids = (await session.scalars(locked.with_for_update())).all()
        return [await session.get_one(self.group_model, group_id, populate_existing=True) for group_id in group_ids]

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

    async def end_terms_of_departed(
        self, session: AsyncSession, group: Group, belonged: set[UUID], *, ended_by: UUID
    ) -> list[TermT]:
        """End the terms of the coordinators who `belonged` (before the change the caller just made under
        the group's row lock) and belong to no member household of the group now: a coordinator acts for
        the group's households, so one who left them stops coordinating. A founder who never belonged is
        not concerned. Refused, with the whole change, when it would leave the group without a coordinator
        in office: another is appointed first."""
        departed = belonged - await self.belonging(session, group.id)
        if not departed:
            return []
        if await self.count_in_office(session, group.id) <= len(departed):
            raise LastCoordinator(
                f"No coordinator of '{group.name}' would remain: appoint another coordinator first, from "
                f"a {self.households} that stays."
            )
        statement = select(self.model).where(self.model.current_of_group(group.id), self.model.user_id.in_(departed))
        terms = list((await session.scalars(statement)).all())
        now = utc_now()
        for term in terms:
            term.ended_at = now
            term.ended_by = ended_by
        await session.flush()
        # coordinator_count, read with the group, is read again for whatever the transaction does next.
        await session.refresh(group, ["coordinator_count"])
        return terms

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


class QuorumGroup(Group, Protocol):
    """A group whose quorum a coordinator may set, with its coordinators in office counted."""

    @property
    def coordinator_count(self) -> int: ...


def require_quorum_settable(chosen: int | None, group: QuorumGroup) -> None:
    """A quorum a coordinator sets directly: within the coordinators in office, and never lower than now."""
    require_quorum_within(chosen, group.coordinator_count)
    require_quorum_not_lowered(
        chosen, current=group.effective_approval_quorum, coordinators_in_office=group.coordinator_count
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
