"""A storefront written against a Python client generated from the service's own /openapi.json, driving the
real app under uvicorn with nothing but its trading organisation's API key: it mirrors the catalogue through
the change feed, receives signed webhooks on a receiver of its own, places an order and follows it to
delivered. What the generator cannot type is a flaw in the document, and fails here first.

One run, whatever TEST_DATABASE_URL says: the app serves a SQLite file of its own."""

import importlib
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from alembic import command
from pydantic import SecretStr
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook, WebhookVerificationError

from app.api_keys.scopes import OPERATION_SCOPES
from app.catalogue.models import Product
from app.core.config import Settings
from app.core.db import create_engine, utc_now
from app.trade.models import TradeOrderStatus
from tests.api_keys.builders import key_body
from tests.conftest import alembic_config
from tests.servers import running_app
from tests.trade.builders import Trade, create_trade

pytestmark = pytest.mark.xdist_group("storefront")

PACKAGE = "teikei_storefront_client"
JWT_SECRET = "storefront-test-secret-0123456789abcdef"
SCOPES = ["catalogue:read", "trade_orders:read", "trade_orders:write", "webhooks:write"]
FOLLOWED = ["requested", "confirmed", "shipped", "delivered"]
WEBHOOK_SECONDS = 15


@dataclass
class Received:
    """What the storefront's receiver got: each event it verified, and why it refused any."""

    secret: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


class ReceiverHandler(BaseHTTPRequestHandler):
    """Verifies each delivery's Standard Webhooks signature with the endpoint's secret, as a storefront must
    before trusting it: 204 when it holds, 400 otherwise."""

    server: "Receiver"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        headers = {name.lower(): value for name, value in self.headers.items()}
        received = self.server.received
        try:
            event = Webhook(received.secret).verify(body, headers)
        except WebhookVerificationError as error:
            received.refused.append(f"{type(error).__name__}: {error}")
            self.send_response(400)
        else:
            received.events.append(event)
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.received = Received()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('storefront') / 'store.db'}"
    command.upgrade(alembic_config(url=url), "head")
    return url


@pytest.fixture(scope="module")
def server_settings(database: str) -> Settings:
    """The server's settings as far as this side needs them: its secret, to sign the seller's logins."""
    return Settings(environment="test", database_url=database, jwt_secret=SecretStr(JWT_SECRET), log_level="WARNING")


@pytest.fixture(scope="module")
async def trade(database: str, server_settings: Settings) -> Trade:
    """A seller with two listed products, a buyer and an outsider, committed; the listings dated a minute
    back, so the change feed shows them at once instead of after its settling delay."""
    engine = create_engine(database, pool=False)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        built = await create_trade(session, server_settings)
        past = utc_now() - timedelta(minutes=1)
        await session.execute(update(Product).values(created_at=past, updated_at=past))
        await session.commit()
    await engine.dispose()
    return built


@pytest.fixture(scope="module")
def api(database: str) -> Iterator[str]:
    environment = {
        "DATABASE_URL": database,
        "ENVIRONMENT": "test",
        "JWT_SECRET": JWT_SECRET,
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
        "OPENAPI_ENABLED": "true",
        "WEBHOOK_DELIVERY_IN_PROCESS": "true",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
    }
    with running_app(environment) as address:
        yield address


@pytest.fixture(scope="module")
def sdk(api: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package generated from the running app's /openapi.json, imported."""
    root = tmp_path_factory.mktemp("sdk")
    document = root / "openapi.json"
    answer = httpx.get(f"{api}/openapi.json", timeout=10)
    assert answer.status_code == 200, answer.text
    document.write_bytes(answer.content)
    config = root / "config.yaml"
    config.write_text("post_hooks: []\n")  # formatting the generated code is no part of what is tested
    generated = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    # Anything the generator could not type (a schema, an operation, a response) it leaves out, and warns. It
    # cannot send a file as a raw body (a bank statement's upload), which no key may call: only those may go.
    left_out = re.findall(r"WARNING parsing (\w+ \S+) within", output)
    assert all(operation not in OPERATION_SCOPES for operation in left_out), output
    assert output.count("WARNING") == len(left_out), output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def issue_key(api: str, trade: Trade) -> str:
    """The buyer's owner, logged in, issues the storefront's key: the last thing done as a person."""
    response = httpx.post(
        f"{api}/v1/api-keys",
        json=key_body("trading_organisation", trade.buyer_org.id, SCOPES),
        headers=trade.headers("buyer"),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


def seller_moves(api: str, trade: Trade, order_id: UUID, transition: str) -> None:
    """The seller's side, with its user's login."""
    response = httpx.post(f"{api}/v1/trade-orders/{order_id}/{transition}", headers=trade.headers("seller"), timeout=10)
    assert response.status_code == 200, response.text


def sdk_module(sdk: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{sdk.__name__}.{name}")


def events_of(received: Received, order_id: UUID) -> dict[str, dict[str, Any]]:
    """The order's events by type, each once however often it was delivered."""
    return {
        event["type"]: event
        for event in received.events
        if event["type"].startswith("trade_order.") and event["data"]["trade_order"]["id"] == str(order_id)
    }


def test_a_generated_client_with_a_key_mirrors_the_catalogue_and_follows_an_order_to_delivered(
    sdk: ModuleType, api: str, trade: Trade, receiver: Receiver
) -> None:
    key = issue_key(api, trade)
    models = sdk_module(sdk, "models")
    changes = sdk_module(sdk, "api.catalogue.list_catalogue_changes")
    create_endpoint = sdk_module(sdk, "api.webhooks.create_webhook_endpoint")
    place = sdk_module(sdk, "api.trade_orders.place_trade_order")
    deliver = sdk_module(sdk, "api.trade_orders.deliver_trade_order")
    read = sdk_module(sdk, "api.trade_orders.read_trade_order")
    unset = sdk_module(sdk, "types").UNSET

    with sdk.AuthenticatedClient(base_url=api, token=key, raise_on_unexpected_status=True) as storefront:
        # The whole catalogue from no cursor, a page at a time, as a first mirror reads it.
        mirrored: dict[UUID, Any] = {}
        cursor, pages = unset, 0
        while True:
            page = changes.sync(client=storefront, cursor=cursor, limit=1)
            assert isinstance(page, models.CatalogueChangesPage), page
            mirrored.update({change.product_id: change.product for change in page.data})
            cursor, pages = page.next_cursor, pages + 1
            if not page.has_more:
                break

        endpoint = create_endpoint.sync(
            client=storefront,
            body=models.WebhookEndpointCreate(
                organisation_kind=models.OrganisationKind.TRADING_ORGANISATION,
                organisation_id=trade.buyer_org.id,
                url=f"http://127.0.0.1:{receiver.server_port}/hooks",
                event_types=[models.WebhookEndpointCreateEventTypesItem(f"trade_order.{step}") for step in FOLLOWED],
                description="Storefront",
            ),
        )
        assert isinstance(endpoint, models.WebhookEndpointCreated), endpoint
        receiver.received.secret = endpoint.secret

        placed = place.sync(
            client=storefront,
            idempotency_key=str(uuid4()),
            body=models.TradeOrderCreate(
                buyer_id=trade.buyer_org.id,
                seller_id=trade.seller_org.id,
                terms=models.TradeTerms.WFTO,
                lines=[
                    models.TradeOrderLineCreate(product_id=trade.coffee.id, quantity="100"),
                    models.TradeOrderLineCreate(product_id=trade.tea.id, quantity="50.5"),
                ],
            ),
        )
        assert isinstance(placed, models.TradeOrderRead), placed
        seller_moves(api, trade, placed.id, "confirm")
        seller_moves(api, trade, placed.id, "ship")
        delivered = deliver.sync(placed.id, client=storefront, idempotency_key=str(uuid4()))
        order = read.sync(placed.id, client=storefront)

    deadline = time.monotonic() + WEBHOOK_SECONDS
    while len(events_of(receiver.received, placed.id)) < len(FOLLOWED) and time.monotonic() < deadline:
        time.sleep(0.05)
    events = events_of(receiver.received, placed.id)

    assert pages >= 2
    assert {trade.coffee.id, trade.tea.id} <= mirrored.keys()
    assert mirrored[trade.coffee.id].name == "Arabica"
    assert mirrored[trade.tea.id].name == "Oolong"
    assert endpoint.secret.startswith("whsec_")
    assert placed.status == models.TradeOrderStatus.REQUESTED
    assert isinstance(delivered, models.TradeOrderRead), delivered
    assert delivered.status == models.TradeOrderStatus.DELIVERED
    assert delivered.order_value == "34090.00"
    assert isinstance(order, models.TradeOrderRead), order
    assert order.status.value == TradeOrderStatus.delivered
    assert [event.to_status.value for event in order.history] == FOLLOWED
    assert receiver.received.refused == []
    assert sorted(events) == sorted(f"trade_order.{step}" for step in FOLLOWED)
    assert [events[f"trade_order.{step}"]["data"]["trade_order"]["status"] for step in FOLLOWED] == FOLLOWED
