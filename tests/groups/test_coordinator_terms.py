"""The coordinator-term rules consumer groups and producer groups share (app.groups.coordinator_terms):
every rule is checked for both kinds of group, through their own routes."""

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.accounts.principal import Principal
from app.core.config import Settings
from app.groups import repository as groups_repository
from app.groups import service as groups_service
from app.groups.coordinator_terms import CoordinatorTerms, require_quorum_within
from app.groups.errors import QuorumAboveCoordinators
from app.groups.models import DEFAULT_APPROVAL_QUORUM, ConsumerGroup, Household, Membership, effective_quorum
from app.producers import repository as producers_repository
from app.producers.models import ProducerGroup
from tests.factories import auth_headers, coordinator_ids, create_group, create_user, first_member
from tests.producers import builders as producer_builders

KINDS = ["consumer", "producer"]


@dataclass(frozen=True)
class Board:
    """A group of either kind: its coordinators in office, a member who does not coordinate, and an outsider."""

    kind: str
    group_id: UUID
    coordinators: list[UUID]
    member: UUID
    outsider: UUID

    @property
    def url(self) -> str:
        prefix = "consumer-groups" if self.kind == "consumer" else "producer-groups"
        return f"/v1/{prefix}/{self.group_id}/coordinators"

    @property
    def model(self) -> type[ConsumerGroup] | type[ProducerGroup]:
        return ConsumerGroup if self.kind == "consumer" else ProducerGroup

    @property
    def terms(self) -> CoordinatorTerms[Any]:
        return (
            groups_repository.coordinator_terms if self.kind == "consumer" else producers_repository.coordinator_terms
        )


async def build_board(session: AsyncSession, kind: str, *, coordinators: int) -> Board:
    """A group whose `coordinators` coordinators each belong to one of its households, plus one more household."""
    outsider = await create_user(session)
    if kind == "consumer":
        group = await create_group(session, households=coordinators + 1, coordinators=coordinators)
        coordinating = await coordinator_ids(session, group)
        statement = select(Household).join(Membership).where(Membership.group_id == group.id)
        members = [await first_member(session, household) for household in (await session.scalars(statement)).all()]
        member = next(user.id for user in members if user.id not in coordinating)
        return Board(kind, group.id, coordinating, member, outsider.id)
    users = [await create_user(session) for _ in range(coordinators + 1)]
    farms = [await producer_builders.create_household(session, user) for user in users]
    producer_group = await producer_builders.create_producer_group(
        session, coordinators=users[:coordinators], households=farms
    )
    return Board(kind, producer_group.id, [user.id for user in users[:coordinators]], users[-1].id, outsider.id)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def in_office(session: AsyncSession, board: Board) -> int:
    return await board.terms.count_in_office(session, board.group_id)


# Ending terms


async def test_the_last_coordinator_cannot_be_removed(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=1)
    [founder] = board.coordinators

    response = await client.delete(f"{board.url}/{founder}", headers=auth_headers(settings, founder))

    assert_problem(response, 409, "last-coordinator")
    assert await in_office(session, board) == 1


async def test_a_coordinator_steps_down_while_another_remains_and_the_term_stays_in_the_history(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=2)
    stepping_down, remaining = board.coordinators

    ended = await client.delete(f"{board.url}/{stepping_down}", headers=auth_headers(settings, stepping_down))
    last = await client.delete(f"{board.url}/{remaining}", headers=auth_headers(settings, remaining))
    history = await client.get(board.url, headers=auth_headers(settings, remaining))

    assert ended.status_code == 200
    assert (ended.json()["user_id"], ended.json()["ended_by"]) == (str(stepping_down), str(stepping_down))
    assert_problem(last, 409, "last-coordinator")
    assert {(term["user_id"], term["ended_at"] is None) for term in history.json()["data"]} == {
        (str(stepping_down), False),
        (str(remaining), True),
    }
    assert await in_office(session, board) == 1


async def test_one_coordinator_cannot_end_anothers_term_where_decisions_need_two(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    """Ending another's term is a governance change: alone, a coordinator of a quorum-2 group could
    otherwise remove the other and then decide everything alone."""
    board = await build_board(session, kind, coordinators=2)
    first, second = board.coordinators

    response = await client.delete(f"{board.url}/{second}", headers=auth_headers(settings, first))

    assert_problem(response, 409, "term-ending-needs-motion")
    assert response.json()["approval_quorum"] == 2
    assert await in_office(session, board) == 2


async def test_where_one_coordinator_decides_alone_they_also_rotate_another_out(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=2)
    first, second = board.coordinators
    await session.execute(update(board.model).where(board.model.id == board.group_id).values(approval_quorum=1))
    session.expire_all()

    response = await client.delete(f"{board.url}/{second}", headers=auth_headers(settings, first))

    assert response.status_code == 200, response.text
    assert await in_office(session, board) == 1


async def test_ending_the_term_of_someone_not_in_office_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=2)

    response = await client.delete(f"{board.url}/{board.member}", headers=auth_headers(settings, board.coordinators[0]))

    assert_problem(response, 404, "coordinator-not-found")
    assert response.json()["user_id"] == str(board.member)
    assert await in_office(session, board) == 2


# Appointing


async def test_a_member_is_appointed_and_an_ended_term_leaves_room_for_a_new_one(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=1)
    [founder] = board.coordinators
    headers = auth_headers(settings, founder)

    first = await client.post(board.url, json={"user_id": str(board.member)}, headers=headers)
    ended = await client.delete(f"{board.url}/{board.member}", headers=auth_headers(settings, board.member))
    again = await client.post(board.url, json={"user_id": str(board.member)}, headers=headers)
    history = await client.get(board.url, headers=headers)

    assert [first.status_code, ended.status_code, again.status_code] == [201, 200, 201]
    assert again.json()["appointed_by"] == str(founder)
    assert [(term["user_id"], term["ended_at"] is None) for term in history.json()["data"]] == [
        (str(founder), True),
        (str(board.member), False),
        (str(board.member), True),
    ]
    assert await in_office(session, board) == 2


async def test_appointing_a_current_coordinator_again_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=2)
    appointer, appointee = board.coordinators

    response = await client.post(board.url, json={"user_id": str(appointee)}, headers=auth_headers(settings, appointer))

    assert_problem(response, 409, "already-coordinator")
    assert response.json()["user_id"] == str(appointee)
    assert await in_office(session, board) == 2


async def test_only_people_of_the_groups_households_are_appointed(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=1)

    response = await client.post(
        board.url, json={"user_id": str(board.outsider)}, headers=auth_headers(settings, board.coordinators[0])
    )

    assert_problem(response, 409, "coordinator-must-be-member")
    assert await in_office(session, board) == 1


async def test_appointing_an_unknown_user_is_refused(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=1)

    response = await client.post(
        board.url, json={"user_id": str(uuid4())}, headers=auth_headers(settings, board.coordinators[0])
    )

    assert_problem(response, 404, "user-not-found")
    assert await in_office(session, board) == 1


async def test_the_groups_a_user_coordinates_are_those_of_terms_in_office(
    client: AsyncClient, session: AsyncSession, settings: Settings, kind: str
) -> None:
    board = await build_board(session, kind, coordinators=2)
    leaving, staying = board.coordinators

    await client.delete(f"{board.url}/{leaving}", headers=auth_headers(settings, leaving))

    coordinated = {
        user: set((await session.scalars(board.terms.groups_coordinated_by(user))).all()) for user in (leaving, staying)
    }
    assert coordinated == {leaving: set(), staying: {board.group_id}}


async def test_a_consumer_groups_count_and_quorum_follow_its_terms_within_the_transaction(
    session: AsyncSession,
) -> None:
    board = await build_board(session, "consumer", coordinators=1)
    [founder] = board.coordinators
    group = await groups_service.get_group(session, board.group_id)
    quorum_with_one = group.effective_approval_quorum

    await groups_service.appoint_coordinator(session, Principal(founder), group_id=group.id, user_id=board.member)
    with_two = (group.coordinator_count, group.effective_approval_quorum)
    await groups_service.end_coordinator_term(session, Principal(founder), group_id=group.id, user_id=founder)

    assert quorum_with_one == 1
    assert with_two == (2, DEFAULT_APPROVAL_QUORUM)
    assert (group.coordinator_count, group.effective_approval_quorum) == (1, 1)


# Concurrency: the count of coordinators in office is taken under the group's row lock


async def test_two_coordinators_stepping_down_at_once_leave_one_in_office(
    committing_client: AsyncClient,
    committing_session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    kind: str,
) -> None:
    async with committing_session_factory.begin() as session:
        board = await build_board(session, kind, coordinators=2)

    responses = await asyncio.gather(
        *[
            committing_client.delete(f"{board.url}/{coordinator}", headers=auth_headers(settings, coordinator))
            for coordinator in board.coordinators
        ]
    )

    assert sorted(response.status_code for response in responses) == [200, 409]
    assert {response.json().get("code") for response in responses if response.status_code == 409} == {
        "last-coordinator"
    }
    async with committing_session_factory() as session:
        assert await in_office(session, board) == 1


# The quorum rule (no database)


@pytest.mark.parametrize(
    ("chosen", "coordinators", "needed"),
    [
        (None, 1, 1),  # one coordinator decides alone
        (None, 2, DEFAULT_APPROVAL_QUORUM),
        (None, 5, DEFAULT_APPROVAL_QUORUM),
        (3, 5, 3),
        (3, 2, 2),  # a quorum chosen when there were more coordinators asks no more than there are now
        (1, 4, 1),
        (None, 0, 1),  # never fewer than one approval
    ],
)
def test_a_decision_needs_the_chosen_quorum_within_the_coordinators_in_office(
    chosen: int | None, coordinators: int, needed: int
) -> None:
    assert effective_quorum(chosen, coordinators) == needed


@pytest.mark.parametrize(("quorum", "coordinators"), [(None, 1), (1, 1), (3, 3), (2, 5)])
def test_a_quorum_within_the_coordinators_in_office_is_accepted(quorum: int | None, coordinators: int) -> None:
    require_quorum_within(quorum, coordinators)


def test_a_quorum_above_the_coordinators_in_office_is_refused() -> None:
    with pytest.raises(QuorumAboveCoordinators) as refused:
        require_quorum_within(4, 3)

    assert refused.value.extensions == {"coordinator_count": 3}
