"""Queries for the catalogue. Rules live in service.py; what the public sees starts here."""

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.catalogue.models import (
    ExchangeRate,
    MemberRole,
    Product,
    ProductStatus,
    TradingOrganisation,
    TradingOrganisationKind,
    TradingOrganisationMember,
)
from app.core.pagination import CursorPage, decode_cursor, encode_cursor

# Trading organisations


def trading_organisations(*, country: str | None, kind: TradingOrganisationKind | None) -> Select[TradingOrganisation]:
    statement = select(TradingOrganisation)
    if country:
        statement = statement.where(TradingOrganisation.country == country)
    if kind:
        statement = statement.where(TradingOrganisation.kind == kind)
    return statement


async def get_organisation(session: AsyncSession, organisation_id: UUID) -> TradingOrganisation | None:
    return await session.get(TradingOrganisation, organisation_id)


async def get_organisation_for_update(session: AsyncSession, organisation_id: UUID) -> TradingOrganisation | None:
    # Row lock: concurrent updates of one organisation queue here, so If-Match compares with what is stored.
    # (SQLite ignores FOR UPDATE; there every transaction holds the write lock from BEGIN IMMEDIATE.)
    statement = select(TradingOrganisation).where(TradingOrganisation.id == organisation_id).with_for_update()
    return (await session.scalars(statement.execution_options(populate_existing=True))).one_or_none()


async def organisation_acting_for(
    session: AsyncSession, *, producer_group_id: UUID | None, consumer_group_id: UUID | None
) -> TradingOrganisation | None:
    if producer_group_id is not None:
        return await session.scalar(
            select(TradingOrganisation).where(TradingOrganisation.producer_group_id == producer_group_id)
        )
    if consumer_group_id is not None:
        return await session.scalar(
            select(TradingOrganisation).where(TradingOrganisation.consumer_group_id == consumer_group_id)
        )
    return None


async def member_role(session: AsyncSession, organisation_id: UUID, user_id: UUID) -> MemberRole | None:
    statement = select(TradingOrganisationMember.role).where(
        TradingOrganisationMember.trading_organisation_id == organisation_id,
        TradingOrganisationMember.user_id == user_id,
    )
    return await session.scalar(statement)


async def is_member(session: AsyncSession, organisation_id: UUID, user_id: UUID) -> bool:
    statement = select(
        exists().where(
            TradingOrganisationMember.trading_organisation_id == organisation_id,
            TradingOrganisationMember.user_id == user_id,
        )
    )
    return bool(await session.scalar(statement))


# Products


def _with_details(statement: Select[Product]) -> Select[Product]:
    return statement.options(
        selectinload(Product.seller), selectinload(Product.certifications), selectinload(Product.images)
    )


def changed_products() -> Select[Product]:
    """Every product ever listed, withdrawn ones included: a mirror must learn of withdrawals too."""
    return _with_details(select(Product))


def listed_products() -> Select[Product]:
    """Products the public may see: withdrawn ones are hidden everywhere."""
    return _with_details(select(Product).where(Product.status == ProductStatus.listed))


async def get_listed_product(session: AsyncSession, product_id: UUID) -> Product | None:
    statement = listed_products().where(Product.id == product_id).execution_options(populate_existing=True)
    return await session.scalar(statement)


async def get_listed_product_for_update(session: AsyncSession, product_id: UUID) -> Product | None:
    # Row lock: two edits of one listing queue here, so If-Match and the minimum-price rule see the stored row.
    statement = listed_products().where(Product.id == product_id).with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


# Exchange rates


def exchange_rates(*, base: str | None, quote: str | None) -> Select[ExchangeRate]:
    statement = select(ExchangeRate)
    if base:
        statement = statement.where(ExchangeRate.base == base)
    if quote:
        statement = statement.where(ExchangeRate.quote == quote)
    return statement


def in_force_on(day: date) -> ColumnElement[bool]:
    """A rate applies from its own day: one dated later is stored, listed, but used for no conversion
    before that day comes (UTC). Every choice of a rate to convert with goes through here."""
    return ExchangeRate.as_of <= day


# Among the rates in force, the one of the latest day; between sources on that day, the one recorded last.
NEWEST_RATE_FIRST = (ExchangeRate.as_of.desc(), ExchangeRate.created_at.desc(), ExchangeRate.id.desc())


async def rate_in_force(session: AsyncSession, base: str, quote: str, *, on: date) -> ExchangeRate | None:
    """The rate for the pair that applies on `on`."""
    statement = (
        select(ExchangeRate)
        .where(ExchangeRate.base == base, ExchangeRate.quote == quote, in_force_on(on))
        .order_by(*NEWEST_RATE_FIRST)
        .limit(1)
    )
    return await session.scalar(statement)


# Pagination


async def newest_first(
    session: AsyncSession,
    statement: Select[Any],
    model: type[Product] | type[ExchangeRate],
    *,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """One page in (created_at, id) descending order, with the same opaque cursors as app.core.pagination."""
    if cursor:
        before_at, before_id = decode_cursor(cursor)
        statement = statement.where(
            or_(model.created_at < before_at, and_(model.created_at == before_at, model.id < before_id))
        )
    ordered = statement.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
    rows = (await session.scalars(ordered)).all()
    has_more = len(rows) > limit
    page = rows[:limit]
    if not has_more:
        return CursorPage(page, has_more, None)
    return CursorPage(page, has_more, encode_cursor(page[-1].created_at, page[-1].id))
