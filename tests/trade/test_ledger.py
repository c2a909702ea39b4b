"""The ledger keeps an agreement's and a trade order's money apart: every account and transaction
belongs to exactly one of them, and a transaction's legs to its own accounts."""

from uuid import uuid4

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.ledger import service as ledger
from app.ledger.models import AccountKind, LedgerAccount
from app.trade.models import TradeOrder, TradeTerms
from tests.trade.builders import Trade, create_trade


@pytest.fixture
async def trade(session: AsyncSession, settings: Settings) -> Trade:
    return await create_trade(session, settings)


async def create_order(session: AsyncSession, trade: Trade) -> TradeOrder:
    order = TradeOrder(
        buyer_id=trade.buyer_org.id,
        seller_id=trade.seller_org.id,
        terms=TradeTerms.wfto,
        currency="THB",
        product_currency="THB",
        prefinance_paid_minor=0,
        created_by=trade.buyer.id,
    )
    session.add(order)
    await session.flush()
    return order


async def test_a_trade_orders_accounts_and_transactions_are_its_own(session: AsyncSession, trade: Trade) -> None:
    order, other = await create_order(session, trade), await create_order(session, trade)
    paid = await ledger.account(
        session, trade_order_id=order.id, kind=AccountKind.buyer_paid, owner_id=trade.buyer_org.id, currency="THB"
    )
    received = await ledger.account(
        session, trade_order_id=order.id, kind=AccountKind.seller_received, owner_id=trade.seller_org.id, currency="THB"
    )

    posted = await ledger.post(
        session, trade_order_id=order.id, kind="settlement", legs=[(paid, -500), (received, 500)]
    )

    again = await ledger.account(
        session, trade_order_id=order.id, kind=AccountKind.buyer_paid, owner_id=trade.buyer_org.id, currency="THB"
    )
    assert again.id == paid.id
    assert (posted.trade_order_id, posted.agreement_id) == (order.id, None)
    assert [
        (account.kind, balance)
        for account, balance in await ledger.accounts_with_balances(session, trade_order_id=order.id)
    ] == [
        (AccountKind.buyer_paid, -500),
        (AccountKind.seller_received, 500),
    ]
    assert [t.id for t in await ledger.transactions(session, trade_order_id=order.id)] == [posted.id]
    assert await ledger.transactions(session, trade_order_id=other.id) == []


@pytest.mark.parametrize("owners", [{}, {"agreement_id": uuid4(), "trade_order_id": uuid4()}])
async def test_exactly_one_owner_is_named(session: AsyncSession, owners: dict) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        await ledger.account(session, **owners, kind=AccountKind.buyer_paid, owner_id=uuid4(), currency="THB")
    with pytest.raises(ValueError, match="exactly one"):
        await ledger.accounts_with_balances(session, **owners)


async def test_a_leg_on_another_orders_account_is_refused(session: AsyncSession, trade: Trade) -> None:
    order, other = await create_order(session, trade), await create_order(session, trade)
    mine = await ledger.account(
        session, trade_order_id=order.id, kind=AccountKind.buyer_paid, owner_id=trade.buyer_org.id, currency="THB"
    )
    theirs = await ledger.account(
        session, trade_order_id=other.id, kind=AccountKind.seller_received, owner_id=trade.seller_org.id, currency="THB"
    )

    with pytest.raises(ValueError, match="another owner"):
        await ledger.post(session, trade_order_id=order.id, kind="settlement", legs=[(mine, -1), (theirs, 1)])


async def test_the_database_refuses_an_account_of_both_or_neither(session: AsyncSession, trade: Trade) -> None:
    order = await create_order(session, trade)

    for owners in ({}, {"trade_order_id": order.id, "agreement_id": uuid4()}):
        with pytest.raises(IntegrityError, match="one_owner"):
            async with session.begin_nested():
                session.add(
                    LedgerAccount(**owners, kind=AccountKind.buyer_paid, owner_id=trade.buyer_org.id, currency="THB")
                )
