"""A real HTTP receiver on 127.0.0.1 for deliveries, endpoints inserted directly, and a clock tests move."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import utc_now
from app.outbox.models import OrganisationKind, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks.service import new_secret


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiver answers is set by the test: a status per request in turn (the last one repeats),
    a delay, a body, a redirect."""

    port: int = 0
    statuses: list[int] = field(default_factory=lambda: [204])
    delay_seconds: float = 0.0
    answer: bytes = b""
    location: str | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def event_ids(self) -> list[str]:
        with self.lock:
            return [request.headers["webhook-id"] for request in self.received]


@contextmanager
def running_receiver(answering: Receiver | None = None) -> Iterator[Receiver]:
    receiver = answering or Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            with receiver.lock:
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = receiver.next_status()
            try:
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)
            except OSError:  # the sender gave up waiting (timeout tests)
                pass

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def delivery_settings(settings: Settings, **overrides: object) -> Settings:
    """The test settings with private URLs allowed (the receiver is on 127.0.0.1) and short waits."""
    values = {"webhook_allow_private_urls": True, "webhook_timeout_seconds": 2.0, "webhook_lease_seconds": 5.0}
    return settings.model_copy(update=values | overrides)


async def create_endpoint(
    session: AsyncSession,
    *,
    created_by: UUID,
    url: str,
    organisation_id: UUID | None = None,
    kind: OrganisationKind = OrganisationKind.trading_organisation,
    event_types: list[str] | None = None,
    enabled: bool = True,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        organisation_kind=kind,
        organisation_id=organisation_id or uuid4(),
        url=url,
        description="",
        event_types=event_types or [],
        secret=new_secret(),
        enabled=enabled,
        created_by=created_by,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def deliveries_of(session: AsyncSession, endpoint_id: UUID) -> list[WebhookDelivery]:
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    return list((await session.scalars(statement.order_by(WebhookDelivery.created_at))).all())


async def attempts_of(session: AsyncSession, delivery_id: UUID) -> list[WebhookAttempt]:
    statement = select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
    return list((await session.scalars(statement.order_by(WebhookAttempt.started_at))).all())


class Clock:
    """The delivery's `now`, moved by the test instead of sleeping through the retry schedule."""

    def __init__(self, start: datetime | None = None) -> None:
        self.at = start or utc_now()

    def __call__(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> None:
        self.at += by
