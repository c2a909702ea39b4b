"""A buyer, a seller with two listed products, and an outsider, ready to trade; and the HTTP steps of an order."""

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.catalogue.models import Product, TradingOrganisation, TradingOrganisationKind
from app.core.config import Settings
from app.ledger.models import LedgerTransaction
from app.trade.models import TradeOrder
from tests.catalogue.builders import create_organisation, create_product
from tests.factories import auth_headers, create_user

# With the default lines: coffee 100 kg × 250.00 + tea 50.5 kg × 180.00 = 34090.00 THB, and a premium
# of 100 × 20.00 + 50.5 × 15.00 = 2757.50 THB.
ORDER_VALUE = "34090.00"
PREMIUM = "2757.50"


@dataclass(frozen=True)
class Trade:
    settings: Settings
    buyer_org: TradingOrganisation
    seller_org: TradingOrganisation
    outsider_org: TradingOrganisation
    buyer: User
    seller: User
    outsider: User  # a member of a third organisation, party to nothing here
    coffee: Product  # 250.00 THB a kg, minimum 200.00, premium 20.00, from 20 kg
    tea: Product  # 180.00 THB a kg, minimum 150.00, premium 15.00, from 20 kg

    def headers(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        user: User = getattr(self, who)
        return auth_headers(self.settings, user.id)


async def create_trade(session: AsyncSession, settings: Settings) -> Trade:
    buyer = await create_user(session, display_name="Lena (importer)")
    seller = await create_user(session, display_name="Somchai (co-op)")
    outsider = await create_user(session, display_name="Thu (other importer)")
    buyer_org = await create_organisation(
        session, owner=buyer, kind=TradingOrganisationKind.importer, country="SG", name="Lion City Fair Trade"
    )
    seller_org = await create_organisation(session, owner=seller, name="Doi Chaang Co-op")
    outsider_org = await create_organisation(
        session, owner=outsider, kind=TradingOrganisationKind.importer, country="VN"
    )
    coffee = await create_product(session, seller_org, created_by=seller, name="Arabica")
    tea = await create_product(
        session,
        seller_org,
        created_by=seller,
        name="Oolong",
        price_minor=18_000,
        minimum_price_minor=15_000,
        premium_minor=1_500,
        producer_share_minor=10_000,
    )
    return Trade(settings, buyer_org, seller_org, outsider_org, buyer, seller, outsider, coffee, tea)


def order_body(trade: Trade, **changes: Any) -> dict[str, Any]:
    return {
        "buyer_id": str(trade.buyer_org.id),
        "seller_id": str(trade.seller_org.id),
        "terms": "wfto",
        "lines": [
            {"product_id": str(trade.coffee.id), "quantity": "100"},
            {"product_id": str(trade.tea.id), "quantity": "50.5"},
        ],
        **changes,
    }


def key_header(key: str | None) -> dict[str, str]:
    """A fresh key by default; "" sends none."""
    if key == "":
        return {}
    return {"Idempotency-Key": key or str(uuid4())}


async def place(
    client: AsyncClient, trade: Trade, *, who: str | None = "buyer", key: str | None = None, **changes: Any
) -> Response:
    return await client.post(
        "/v1/trade-orders", json=order_body(trade, **changes), headers={**trade.headers(who), **key_header(key)}
    )


async def act(
    client: AsyncClient,
    trade: Trade,
    order_id: str,
    transition: str,
    who: str | None,
    body: dict[str, Any] | None = None,
    *,
    key: str | None = "",
) -> Response:
    """POST a transition; no Idempotency-Key unless `key` is None (a fresh one) or a given key."""
    return await client.post(
        f"/v1/trade-orders/{order_id}/{transition}",
        json=body,
        headers={**trade.headers(who), **key_header(key)},
    )


async def read(client: AsyncClient, trade: Trade, order_id: str, who: str = "buyer") -> dict[str, Any]:
    response = await client.get(f"/v1/trade-orders/{order_id}", headers=trade.headers(who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def prefinance_body(amount: str, currency: str = "THB") -> dict[str, Any]:
    return {"amount": amount, "currency": currency, "method": "bank_transfer", "reference": "LC-2027-001"}


SETTLEMENT = {"method": "bank_transfer", "reference": "INV-2027-001"}

# The steps from a new order to each status, with who takes them and a valid body.
STEPS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "confirmed": ("confirm", "seller", None),
    "prefinance_requested": ("request-prefinance", "seller", {"percent": 50}),
    "prefinanced": ("prefinance", "buyer", prefinance_body("17045.00")),
    "shipped": ("ship", "seller", None),
    "delivered": ("deliver", "buyer", None),
    "settled": ("settle", "buyer", SETTLEMENT),
}
PATH = list(STEPS)


async def order_in(client: AsyncClient, trade: Trade, status: str) -> str:
    """A new order (default lines, WFTO) taken to `status` through the API; pre-financed at 50% on the way."""
    response = await place(client, trade)
    assert response.status_code == 201, response.text
    order_id: str = response.json()["id"]
    if status == "cancelled":
        cancelled = await act(client, trade, order_id, "cancel", "buyer")
        assert cancelled.status_code == 200, cancelled.text
        return order_id
    if status == "requested":
        return order_id
    for reached in PATH[: PATH.index(status) + 1]:
        transition, who, body = STEPS[reached]
        response = await act(client, trade, order_id, transition, who, body, key=None)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == reached
    return order_id


async def count(session: AsyncSession, model: type[TradeOrder] | type[LedgerTransaction]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def entry_sums(order: dict[str, Any]) -> list[int]:
    """Each transaction's entries summed, in minor units: all zero in a double-entry ledger."""
    return [
        sum(int(entry["amount"].replace(".", "")) for entry in transaction["entries"])
        for transaction in order["transactions"]
    ]


def balances(order: dict[str, Any]) -> dict[str, str]:
    return {account["account"]: account["balance"] for account in order["accounts"]}
