"""Messages between the consumer group and the producer group of an agreement, through HTTP."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agreements.models import Agreement, AgreementMessage, Side
from app.core.config import Settings
from tests.agreements.builders import create_agreement, message_count
from tests.gatherings.builders import Callers, create_callers

PROBLEM = "application/problem+json"


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    return await create_callers(session, settings)


@pytest.fixture
async def agreement(session: AsyncSession, callers: Callers) -> Agreement:
    return await create_agreement(session, callers.consumer_group, callers.producer_group)


async def test_a_member_writes_to_the_partner_group(
    client: AsyncClient, session: AsyncSession, callers: Callers, agreement: Agreement
) -> None:
    member = callers.user("consumer_member")

    response = await client.post(
        f"/v1/agreements/{agreement.id}/messages",
        json={"body": "Could we visit the farm before the harvest?"},
        headers=callers.headers_for("consumer_member"),
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "agreement_id": str(agreement.id),
        "author_user_id": str(member.id),
        "author_display_name": "Ploy",
        "side": "consumer",
        "body": "Could we visit the farm before the harvest?",
        "created_at": created["created_at"],
    }
    assert abs(datetime.fromisoformat(created["created_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    stored = (await session.scalars(select(AgreementMessage))).all()
    assert [(m.agreement_id, m.author_user_id, m.author_display_name, m.side) for m in stored] == [
        (agreement.id, member.id, "Ploy", Side.consumer)
    ]


@pytest.mark.parametrize(
    ("_case", "caller", "side"),
    [
        ("consumer coordinator", "consumer_coordinator", "consumer"),
        ("consumer member", "consumer_member", "consumer"),
        ("producer coordinator", "producer_coordinator", "producer"),
        ("farmer", "producer_member", "producer"),
        ("member of both groups writes as the consumer side", "both", "consumer"),
    ],
)
async def test_a_message_records_the_side_its_author_writes_for(
    client: AsyncClient, callers: Callers, agreement: Agreement, _case: str, caller: str, side: str
) -> None:
    response = await client.post(
        f"/v1/agreements/{agreement.id}/messages", json={"body": "Hello"}, headers=callers.headers_for(caller)
    )

    assert response.status_code == 201
    assert (response.json()["side"], response.json()["author_user_id"]) == (side, str(callers.user(caller).id))


async def test_the_conversation_reads_oldest_first_in_pages(
    client: AsyncClient, session: AsyncSession, callers: Callers, agreement: Agreement
) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    writers = ["consumer_member", "producer_coordinator", "both", "producer_member", "consumer_coordinator"]
    for index, writer in enumerate(writers):
        session.add(
            AgreementMessage(
                agreement_id=agreement.id,
                author_user_id=callers.user(writer).id,
                author_display_name=callers.user(writer).display_name,
                side=Side.producer if writer.startswith("producer") else Side.consumer,
                body=f"message {index}",
                # Two messages in the same instant: the id breaks the tie, so no page skips one.
                created_at=start + timedelta(minutes=min(index, 3)),
            )
        )
    await session.flush()
    url = f"/v1/agreements/{agreement.id}/messages"
    headers = callers.headers_for("producer_member")

    bodies: list[str] = []
    cursor: str | None = None
    for _ in range(3):
        params: dict[str, str | int] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await client.get(url, params=params, headers=headers)
        assert page.status_code == 200
        bodies += [message["body"] for message in page.json()["data"]]
        cursor = page.json()["next_cursor"]

    assert cursor is None
    first_three = ["message 0", "message 1", "message 2"]
    assert bodies[:3] == first_three
    assert sorted(bodies[3:]) == ["message 3", "message 4"]
    assert len(bodies) == len(set(bodies)) == 5


async def test_the_author_name_is_kept_as_it_was_sent(
    client: AsyncClient, session: AsyncSession, callers: Callers, agreement: Agreement
) -> None:
    await client.post(
        f"/v1/agreements/{agreement.id}/messages", json={"body": "Hi"}, headers=callers.headers_for("consumer_member")
    )
    callers.user("consumer_member").display_name = "Ploy S."
    await session.flush()

    response = await client.get(
        f"/v1/agreements/{agreement.id}/messages", headers=callers.headers_for("producer_coordinator")
    )

    assert [m["author_display_name"] for m in response.json()["data"]] == ["Ploy"]


async def test_an_agreements_messages_stay_with_it(
    client: AsyncClient, session: AsyncSession, callers: Callers, agreement: Agreement
) -> None:
    other_agreement = await create_agreement(session, callers.other_group, callers.producer_group)
    await client.post(
        f"/v1/agreements/{agreement.id}/messages", json={"body": "To Chiang Mai"}, headers=callers.headers_for("both")
    )
    await client.post(
        f"/v1/agreements/{other_agreement.id}/messages",
        json={"body": "To Quezon"},
        headers=callers.headers_for("other_member"),
    )
    headers = callers.headers_for("producer_coordinator")

    first = await client.get(f"/v1/agreements/{agreement.id}/messages", headers=headers)
    second = await client.get(f"/v1/agreements/{other_agreement.id}/messages", headers=headers)
    seen_by_other_group = await client.get(
        f"/v1/agreements/{agreement.id}/messages", headers=callers.headers_for("other_member")
    )

    assert [m["body"] for m in first.json()["data"]] == ["To Chiang Mai"]
    assert [m["body"] for m in second.json()["data"]] == ["To Quezon"]
    assert seen_by_other_group.status_code == 404


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("_case", "caller", "expected_status"),
    [
        ("anonymous", None, 401),
        ("stranger", "stranger", 404),
        ("member of another consumer group", "other_member", 404),
        ("coordinator of another consumer group", "other_coordinator", 404),
        ("consumer member", "consumer_member", None),
        ("consumer coordinator", "consumer_coordinator", None),
        ("farmer", "producer_member", None),
        ("producer coordinator", "producer_coordinator", None),
    ],
)
async def test_only_the_two_groups_of_an_agreement_exchange_messages(
    client: AsyncClient,
    session: AsyncSession,
    callers: Callers,
    agreement: Agreement,
    method: str,
    _case: str,
    caller: str | None,
    expected_status: int | None,
) -> None:
    body = {"body": "Hello"} if method == "POST" else None

    response = await client.request(
        method, f"/v1/agreements/{agreement.id}/messages", json=body, headers=callers.headers_for(caller)
    )

    if expected_status is None:
        assert response.status_code == (201 if method == "POST" else 200)
        assert await message_count(session) == (1 if method == "POST" else 0)
    else:
        assert response.status_code == expected_status
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == ("not-authenticated" if caller is None else "agreement-not-found")
        assert await message_count(session) == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unknown_agreement_is_not_found(client: AsyncClient, callers: Callers, method: str) -> None:
    response = await client.request(
        method,
        f"/v1/agreements/{uuid4()}/messages",
        json={"body": "Hello"} if method == "POST" else None,
        headers=callers.headers_for("consumer_coordinator"),
    )

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "agreement-not-found"


@pytest.mark.parametrize(
    ("_case", "body"),
    [
        ("empty", {"body": ""}),
        ("blank", {"body": " \n\t "}),
        ("too long", {"body": "x" * 2001}),
        ("NUL byte", {"body": "a\x00b"}),
        ("not text", {"body": 42}),
        ("missing", {}),
        ("unknown field", {"body": "Hi", "side": "producer"}),
    ],
)
async def test_an_invalid_message_is_refused(
    client: AsyncClient, session: AsyncSession, callers: Callers, agreement: Agreement, _case: str, body: dict
) -> None:
    response = await client.post(
        f"/v1/agreements/{agreement.id}/messages", json=body, headers=callers.headers_for("consumer_member")
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "validation-failed"
    assert await message_count(session) == 0
