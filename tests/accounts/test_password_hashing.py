"""Argon2 runs in worker threads, a bounded number at once, wherever a password is hashed or checked."""

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from httpx import AsyncClient, Response
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service
from app.accounts.errors import InvalidCredentials
from app.accounts.models import RefreshToken, User
from app.core import security
from app.core.config import Settings
from tests.factories import PASSWORD, PASSWORD_HASH, create_user

# Only reached when the behaviour under test is already broken (Argon2 holding the event loop).
HELD_AT_MOST_SECONDS = 10


class HeldArgon2:
    """Argon2 that, in whichever thread calls it, waits until the test lets it go."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def hash(self, password: str) -> str:
        self._hold()
        return str(self.real.hash(password))

    def verify(self, password: str, hashed: str) -> bool:
        self._hold()
        return bool(self.real.verify(password, hashed))

    def _hold(self) -> None:
        self.started.set()
        self.release.wait(HELD_AT_MOST_SECONDS)
        self.finished.set()


class CountingArgon2:
    """Argon2 as it is, with the hashes each verification was made against."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.verified_against: list[str] = []

    def verify(self, password: str, hashed: str) -> bool:
        self.verified_against.append(hashed)
        return bool(self.real.verify(password, hashed))


async def served_while_held(
    client: AsyncClient, held: HeldArgon2, send: Callable[[], Coroutine[Any, Any, Response]]
) -> tuple[bool, Response]:
    """Whether another request was answered while `send` was held inside Argon2, and `send`'s response."""
    slow = asyncio.create_task(send())
    assert await asyncio.to_thread(held.started.wait, HELD_AT_MOST_SECONDS)
    other = await client.get("/healthz")
    answered_meanwhile = other.status_code == 200 and not held.finished.is_set()
    held.release.set()
    return answered_meanwhile, await slow


async def test_other_requests_are_answered_while_a_login_checks_a_password(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldArgon2(security._argon2)
    monkeypatch.setattr(security, "_argon2", held)

    answered_meanwhile, login = await served_while_held(
        client, held, lambda: client.post("/v1/auth/token", data={"username": "nobody@example.org", "password": "x"})
    )

    assert answered_meanwhile
    assert login.status_code == 401


async def test_other_requests_are_answered_while_a_registration_hashes_its_password(
    client: AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldArgon2(security._argon2)
    monkeypatch.setattr(security, "_argon2", held)
    body = {"email": "slow@example.org", "password": "long enough secret", "display_name": "Slow"}

    answered_meanwhile, registered = await served_while_held(
        client, held, lambda: client.post("/v1/auth/register", json=body)
    )

    assert answered_meanwhile
    assert registered.status_code == 201
    assert await session.scalar(select(func.count()).select_from(User).where(User.email == "slow@example.org")) == 1


async def test_no_more_passwords_are_hashed_at_once_than_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    running, peak, lock, release = 0, 0, threading.Lock(), threading.Event()

    class CountingHashes:
        def hash(self, password: str) -> str:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            release.wait(HELD_AT_MOST_SECONDS)
            with lock:
                running -= 1
            return f"hash of {password}"

    monkeypatch.setattr(security, "_argon2", CountingHashes())
    hasher = security.PasswordHasher(2)

    hashes = [asyncio.create_task(hasher.hash(f"password {number}")) for number in range(5)]
    for _ in range(HELD_AT_MOST_SECONDS * 100):  # until the first two run; a bound on the wait, not a timing check
        if running == 2:
            break
        await asyncio.sleep(0.01)
    release.set()
    results = await asyncio.gather(*hashes)

    assert peak == 2
    assert results == [f"hash of password {number}" for number in range(5)]


async def test_an_unknown_email_costs_one_verification_like_a_wrong_password(
    client: AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await create_user(session)
    counting = CountingArgon2(security._argon2)
    monkeypatch.setattr(security, "_argon2", counting)

    unknown = await client.post("/v1/auth/token", data={"username": "nobody@example.org", "password": "x"})
    wrong = await client.post("/v1/auth/token", data={"username": user.email, "password": "x"})

    assert unknown.status_code == wrong.status_code == 401
    assert counting.verified_against == [security.UNKNOWN_USER_HASH, PASSWORD_HASH]


def test_the_stand_in_hash_for_unknown_emails_costs_what_a_stored_hash_costs() -> None:
    """Argon2's cost is written in the hash ($argon2id$v=19$m=…,t=…,p=…$salt$digest)."""

    def cost(hashed: str) -> str:
        return hashed.rsplit("$", 2)[0]

    assert cost(security.UNKNOWN_USER_HASH) == cost(PASSWORD_HASH)
    assert cost(PASSWORD_HASH).startswith("$argon2id$")


async def test_a_login_holds_no_transaction_while_it_checks_the_password(
    session: AsyncSession, settings: Settings
) -> None:
    """On SQLite the transaction holds the write lock, on PostgreSQL a pooled connection: a queue of
    logins waiting for a hash must hold neither."""
    user = await create_user(session)
    throttle = service.LoginThrottle.from_settings(MovingWindowRateLimiter(MemoryStorage()), settings)

    class Witness(security.PasswordHasher):
        """Notes whether the session is in a transaction when the password is checked."""

        def __init__(self) -> None:
            super().__init__(1)
            self.in_transaction: list[bool] = []

        async def verify(self, password: str, hashed: str | None) -> bool:
            self.in_transaction.append(session.in_transaction())
            return hashed == PASSWORD_HASH and password == PASSWORD

    witness = Witness()

    with pytest.raises(InvalidCredentials):
        await service.log_in(
            session, throttle, witness, settings, email=user.email, password="wrong", address="192.0.2.1"
        )

    assert witness.in_transaction == [False]
    assert await session.scalar(select(func.count()).select_from(RefreshToken)) == 0
