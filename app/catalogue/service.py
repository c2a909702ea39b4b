"""The fair-trade catalogue: trading organisations, products listed at or above their minimum price with
the premium stated apart, and prices shown in a buyer's currency with a stored, dated rate."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.principal import Principal
from app.catalogue import conversion, policies, pricing, repository
from app.catalogue.codes import gtin_check_digit_is_valid
from app.catalogue.errors import (
    AhtnNotUnderHsCode,
    AlreadyOrganisationMember,
    AvailabilityNotValid,
    CountryDiffersFromGroup,
    CurrencyChangeNeedsAmounts,
    ExchangeRateExists,
    GroupAlreadyTrading,
    GroupNotFound,
    InvalidGtin,
    NoExchangeRate,
    NotAseanOrigin,
    PriceBelowMinimum,
    PriceNotPositive,
    ProducerGroupNotFound,
    ProducerShareAbovePrice,
    ProductNotFound,
    QuantityNotPositive,
    TradingOrganisationNotFound,
    UnitChangeNeedsQuantities,
    UserNotFound,
)
from app.catalogue.models import (
    ExchangeRate,
    MemberRole,
    Product,
    ProductCertification,
    ProductImage,
    ProductStatus,
    TradingOrganisation,
    TradingOrganisationKind,
    TradingOrganisationMember,
)
from app.catalogue.schemas import (
    CatalogueChangeRead,
    CatalogueChangesPage,
    DisplayPrices,
    ExchangeRateCreate,
    PriceBreakdown,
    ProductCertificationCreate,
    ProductCertificationRead,
    ProductChange,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    SellerRead,
    TradingOrganisationCreate,
    TradingOrganisationRead,
    TradingOrganisationUpdate,
)
from app.core import money, quantity
from app.core.db import utc_now
from app.core.http import require_match
from app.core.pagination import CursorPage, after_cursor, encode_cursor, paginate
from app.core.quantity import Unit
from app.core.schemas import ASEAN_COUNTRIES
from app.groups import repository as groups_repository
from app.outbox import events as outbox
from app.outbox.models import OrganisationKind
from app.producers import repository as producers_repository

AMOUNTS = ("price", "minimum_price", "premium", "producer_share")
QUANTITIES = ("pack_size", "minimum_order_quantity")

# Trading organisations


async def create_organisation(
    session: AsyncSession, principal: Principal, data: TradingOrganisationCreate
) -> TradingOrganisation:
    """Found a trading organisation; its founder is its first owner. One that acts for a producer or
    consumer group is founded by a coordinator of that group, in the group's country, once per group."""
    if data.producer_group_id is not None:
        producer_group = await producers_repository.get_producer_group(session, data.producer_group_id)
        if producer_group is None:
            raise ProducerGroupNotFound(data.producer_group_id)
        await policies.require_group_coordinator(
            session, principal, group_name=producer_group.name, producer_group_id=producer_group.id
        )
        _require_country(data.country, producer_group.country, producer_group.name)
    if data.consumer_group_id is not None:
        consumer_group = await groups_repository.get_group(session, data.consumer_group_id)
        if consumer_group is None:
            raise GroupNotFound(data.consumer_group_id)
        await policies.require_group_coordinator(
            session, principal, group_name=consumer_group.name, consumer_group_id=consumer_group.id
        )
        _require_country(data.country, consumer_group.country, consumer_group.name)

    organisation = TradingOrganisation(
        name=data.name,
        kind=data.kind,
        country=data.country,
        region=data.region,
        producer_group_id=data.producer_group_id,
        consumer_group_id=data.consumer_group_id,
        **_declaration_columns(data.declarations.model_dump()),
        created_by=principal.user_id,
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
        async with session.begin_nested():
            session.add(organisation)
    except IntegrityError as error:  # the unique group columns decide, also when two requests race
        raise GroupAlreadyTrading(
            "The group already trades through an organisation; ask its owners to add you."
        ) from error
    session.add(
        TradingOrganisationMember(
            trading_organisation_id=organisation.id,
            user_id=principal.user_id,
            role=MemberRole.owner,
            added_by=principal.user_id,
        )
    )
    await session.flush()
    return organisation


def _require_country(country: str, group_country: str, group_name: str) -> None:
    if country != group_country:
        raise CountryDiffersFromGroup(
            f"'{group_name}' is in {group_country}; an organisation acting for it is too.", group_country=group_country
        )


def _declaration_columns(declarations: Mapping[str, bool]) -> dict[str, bool]:
    return {f"declares_{name}": value for name, value in declarations.items()}


async def list_organisations(
    session: AsyncSession, *, country: str | None, kind: TradingOrganisationKind | None, limit: int, cursor: str | None
) -> CursorPage:
    return await paginate(
        session,
        repository.trading_organisations(country=country, kind=kind),
        created_at=TradingOrganisation.created_at,
        id_column=TradingOrganisation.id,
        limit=limit,
        cursor=cursor,
    )


async def get_organisation(session: AsyncSession, organisation_id: UUID) -> TradingOrganisation:
    organisation = await repository.get_organisation(session, organisation_id)
    if organisation is None:
        raise TradingOrganisationNotFound(organisation_id)
    return organisation


async def update_organisation(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_id: UUID,
    changes: TradingOrganisationUpdate,
    if_match: str | None,
) -> TradingOrganisation:
    """Members rename the organisation, move its region or declare its practices anew (dated now)."""
    organisation = await repository.get_organisation_for_update(session, organisation_id)
    if organisation is None:
        raise TradingOrganisationNotFound(organisation_id)
    await policies.require_member(session, principal, organisation)
    require_match(if_match, TradingOrganisationRead.model_validate(organisation))
    if changes.name is not None:
        organisation.name = changes.name
    if "region" in changes.model_fields_set:
        organisation.region = changes.region
    if changes.declarations is not None:
        for column, value in _declaration_columns(changes.declarations.model_dump()).items():
            setattr(organisation, column, value)
        organisation.declared_at = utc_now()
    await session.flush()
    return organisation


async def add_member(
    session: AsyncSession, principal: Principal, *, organisation_id: UUID, user_id: UUID, role: MemberRole
) -> TradingOrganisationMember:
    organisation = await get_organisation(session, organisation_id)
    await policies.require_owner(session, principal, organisation)
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id)
    member = TradingOrganisationMember(
        trading_organisation_id=organisation.id, user_id=user.id, role=role, added_by=principal.user_id
    )
    try:
        async with session.begin_nested():
            session.add(member)
    except IntegrityError as error:  # the unique (organisation, user) pair decides, also under a race
        raise AlreadyOrganisationMember(
            f"{user.display_name} is already a member of '{organisation.name}'.", user_id=str(user.id)
        ) from error
    return member


# Products


async def offer_product(session: AsyncSession, principal: Principal, data: ProductCreate) -> Product:
    """A member of the selling organisation lists a product, never below its own minimum price."""
    seller = await repository.get_organisation(session, data.seller_id)
    if seller is None:
        raise TradingOrganisationNotFound(data.seller_id)
    await policies.require_member(session, principal, seller)
    values = _checked_columns(data.model_dump(exclude={"seller_id", "certifications", "images"}))
    now = utc_now()
    product = Product(
        seller_id=seller.id,
        created_by=principal.user_id,
        # One moment for both: the change feed tells a new listing from a changed one by them.
        created_at=now,
        updated_at=now,
        status=ProductStatus.listed,
        **values,
        certifications=_certifications(data.certifications),
        images=_images(data.images),
    )
    session.add(product)
    await session.flush()
    listed = await _reloaded(session, product.id)
    await _publish(session, listed, "product.created")
    return listed


async def change_product(
    session: AsyncSession, principal: Principal, *, product_id: UUID, changes: ProductUpdate, if_match: str | None
) -> Product:
    """Members of the seller change a listing; the merged listing must keep every rule of a new one."""
    product = await _locked_product(session, product_id)
    await policies.require_member(session, principal, product.seller)
    require_match(if_match, product_read(product))
    sent = changes.model_dump(exclude_unset=True, exclude={"certifications", "images"})
    current = _listing_fields(product)
    if sent.get("currency", product.currency) != product.currency and not set(AMOUNTS) <= set(sent):
        raise CurrencyChangeNeedsAmounts(f"Send {', '.join(AMOUNTS)} in {sent['currency']} with the new currency.")
    if sent.get("unit", product.unit) != product.unit and not set(QUANTITIES) <= set(sent):
        raise UnitChangeNeedsQuantities(f"Send {' and '.join(QUANTITIES)} in {sent['unit']} with the new unit.")
    values = _checked_columns({**current, **sent})

    for column, value in values.items():
        setattr(product, column, value)
    # Old rows go first: the unit of work inserts before it deletes, and positions are unique per product.
    if changes.certifications is not None:
        product.certifications.clear()
    if changes.images is not None:
        product.images.clear()
    await session.flush()
    if changes.certifications is not None:
        product.certifications.extend(_certifications(changes.certifications))
    if changes.images is not None:
        product.images.extend(_images(changes.images))
    # Set here, not left to the column's onupdate: a change of certificates or images alone updates no
    # column of the product's own row, and mirrors must still learn of it.
    product.updated_at = utc_now()
    await session.flush()
    changed = await _reloaded(session, product.id)
    await _publish(session, changed, "product.updated")
    return changed


async def withdraw_product(
    session: AsyncSession, principal: Principal, *, product_id: UUID, if_match: str | None
) -> None:
    """Withdrawn, not deleted: orders may name it, but every read answers 404 from now on."""
    product = await _locked_product(session, product_id)
    await policies.require_member(session, principal, product.seller)
    require_match(if_match, product_read(product))
    product.status = ProductStatus.withdrawn
    product.withdrawn_at = product.updated_at = utc_now()
    await session.flush()
    await _publish(session, product, "product.withdrawn")


async def _publish(session: AsyncSession, product: Product, event_type: str) -> None:
    """Tell the seller's integrators; a withdrawn product is named by its id alone."""
    data = (
        {"product": {"id": str(product.id), "seller_id": str(product.seller_id)}}
        if product.status == ProductStatus.withdrawn
        else {"product": product_read(product).model_dump(mode="json")}
    )
    await outbox.emit(session, event_type, data, audience=[(OrganisationKind.trading_organisation, product.seller_id)])


# Mirroring: a storefront keeps its copy of the catalogue by reading what changed since it last looked.

# A change is shown once it is this old. Its time is taken before its transaction commits, so a change
# committed late could carry an earlier time than one already read, and fall behind a cursor past it;
# no write of a listing takes this long.
CHANGES_SETTLE = timedelta(seconds=5)
BEGINNING = encode_cursor(datetime(1970, 1, 1, tzinfo=UTC), UUID(int=0))


async def catalogue_changes(
    session: AsyncSession, *, cursor: str | None, limit: int, now: datetime | None = None
) -> CatalogueChangesPage:
    """Products created, changed or withdrawn after `cursor`, oldest change first; a product changed
    twice since appears once, as it is now. The cursor of the last page is kept to poll for more."""
    settled_before = (now or utc_now()) - CHANGES_SETTLE
    statement = repository.changed_products().where(Product.updated_at < settled_before)
    if cursor:
        statement = statement.where(after_cursor(cursor, created_at=Product.updated_at, id_column=Product.id))
    rows = (await session.scalars(statement.order_by(Product.updated_at, Product.id).limit(limit + 1))).all()
    page = rows[:limit]
    return CatalogueChangesPage(
        data=[_change_read(product) for product in page],
        has_more=len(rows) > limit,
        next_cursor=encode_cursor(page[-1].updated_at, page[-1].id) if page else cursor or BEGINNING,
    )


def _change_read(product: Product) -> CatalogueChangeRead:
    if product.status == ProductStatus.withdrawn:
        change, listing = ProductChange.withdrawn, None
    else:
        change = ProductChange.created if product.updated_at == product.created_at else ProductChange.updated
        listing = product_read(product)
    return CatalogueChangeRead(change=change, product_id=product.id, changed_at=product.updated_at, product=listing)


async def get_product(session: AsyncSession, product_id: UUID) -> Product:
    product = await repository.get_listed_product(session, product_id)
    if product is None:
        raise ProductNotFound(product_id)
    return product


async def read_product(session: AsyncSession, product_id: UUID, *, currency: str | None) -> ProductRead:
    """The product with its prices in its own currency, and in `currency` too when that differs."""
    product = await get_product(session, product_id)
    display = None
    if currency is not None and currency != product.currency:
        display = await display_prices(session, product, currency)
    return product_read(product, display)


async def _locked_product(session: AsyncSession, product_id: UUID) -> Product:
    product = await repository.get_listed_product_for_update(session, product_id)
    if product is None:
        raise ProductNotFound(product_id)
    return product


async def _reloaded(session: AsyncSession, product_id: UUID) -> Product:
    product = await repository.get_listed_product(session, product_id)
    assert product is not None  # written in this transaction
    return product


def _listing_fields(product: Product) -> dict[str, Any]:
    """The product's current listing as the API writes it, so changes merge onto it field by field."""
    return {
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "origin_country": product.origin_country,
        "origin_region": product.origin_region,
        "unit": product.unit,
        "hs_code": product.hs_code,
        "gtin": product.gtin,
        "available_from": product.available_from,
        "available_to": product.available_to,
        "lead_time_days": product.lead_time_days,
        "ahtn_code": product.ahtn_code,
        "form_d_criterion": product.form_d_criterion,
        "currency": product.currency,
        **{name: quantity.to_text(getattr(product, f"{name}_base"), product.unit) for name in QUANTITIES},
        **{name: money.to_text(getattr(product, f"{name}_minor"), product.currency) for name in AMOUNTS},
    }


def _checked_columns(listing: dict[str, Any]) -> dict[str, Any]:
    """The listing's column values (minor units, base steps), once every catalogue rule holds for it."""
    unit = Unit(listing["unit"])
    currency: str = listing["currency"]
    quantities = {f"{name}_base": quantity.to_base(listing.pop(name), unit) for name in QUANTITIES}
    amounts = {f"{name}_minor": money.to_minor(listing.pop(name), currency) for name in AMOUNTS}
    if min(quantities.values()) <= 0:
        raise QuantityNotPositive("Pack size and minimum order quantity must be above zero.")
    _check_codes(listing)
    _check_availability(listing["available_from"], listing["available_to"])
    _check_prices(amounts, currency)
    return {**listing, **quantities, **amounts}


def _check_codes(listing: Mapping[str, Any]) -> None:
    gtin, ahtn_code, hs_code = listing["gtin"], listing["ahtn_code"], listing["hs_code"]
    if gtin is not None and not gtin_check_digit_is_valid(gtin):
        raise InvalidGtin(f"GTIN {gtin} fails the GS1 check digit; check the number on the barcode.", gtin=gtin)
    if ahtn_code is not None and ahtn_code[:6] != hs_code:
        raise AhtnNotUnderHsCode(
            f"AHTN {ahtn_code} lies under HS {ahtn_code[:6]}, not under the product's HS code {hs_code}."
        )
    # AHTN and the Form D criterion belong to the ASEAN trade agreement (ATIGA): ASEAN origins only.
    if listing["origin_country"] not in ASEAN_COUNTRIES:
        for field in ("ahtn_code", "form_d_criterion"):
            if listing[field] is not None:
                raise NotAseanOrigin(
                    f"{field} applies to goods of ASEAN origin; {listing['origin_country']} is not an ASEAN member.",
                    field=field,
                )


def _check_availability(available_from: date | None, available_to: date | None) -> None:
    if available_from is not None and available_to is not None and available_from > available_to:
        raise AvailabilityNotValid(f"available_from {available_from} is after available_to {available_to}.")


def _check_prices(amounts: Mapping[str, int], currency: str) -> None:
    price, minimum = amounts["price_minor"], amounts["minimum_price_minor"]
    if price <= 0:
        raise PriceNotPositive("A listed product has a price above zero.")
    # The fair-trade floor (DESIGN, catalogue): a listing below its own minimum price is refused.
    if price < minimum:
        raise PriceBelowMinimum(
            f"The price {money.to_text(price, currency)} {currency} is below the minimum price "
            f"{money.to_text(minimum, currency)} {currency}.",
            minimum_price=money.to_text(minimum, currency),
            currency=currency,
        )
    if amounts["producer_share_minor"] > price:
        raise ProducerShareAbovePrice("The producers' share is part of the price, so at most the price.")


def _certifications(certifications: list[ProductCertificationCreate]) -> list[ProductCertification]:
    return [
        ProductCertification(position=position, **certification.model_dump())
        for position, certification in enumerate(certifications)
    ]


def _images(urls: list[str]) -> list[ProductImage]:
    return [ProductImage(position=position, url=url) for position, url in enumerate(urls)]


def product_read(product: Product, display: DisplayPrices | None = None) -> ProductRead:
    currency, unit = product.currency, product.unit
    amounts = {name: money.to_text(getattr(product, f"{name}_minor"), currency) for name in AMOUNTS}
    return ProductRead(
        id=product.id,
        seller_id=product.seller_id,
        seller=SellerRead.model_validate(product.seller),
        name=product.name,
        description=product.description,
        category=product.category,
        origin_country=product.origin_country,
        origin_region=product.origin_region,
        unit=unit,
        pack_size=quantity.to_text(product.pack_size_base, unit),
        hs_code=product.hs_code,
        gtin=product.gtin,
        certifications=[ProductCertificationRead.model_validate(c) for c in product.certifications],
        available_from=product.available_from,
        available_to=product.available_to,
        minimum_order_quantity=quantity.to_text(product.minimum_order_quantity_base, unit),
        lead_time_days=product.lead_time_days,
        images=[image.url for image in product.images],
        ahtn_code=product.ahtn_code,
        form_d_criterion=product.form_d_criterion,
        currency=currency,
        **amounts,
        price_breakdown=PriceBreakdown(
            **amounts,
            producer_share_percent=conversion.share_percent(product.producer_share_minor, product.price_minor),
            # The floor an order's confirmation applies too (a listing is never below its minimum anyway).
            price_paid_at_least=money.to_text(
                pricing.price_paid(minimum_minor=product.minimum_price_minor, agreed_minor=product.price_minor),
                currency,
            ),
        ),
        display=display,
        status=product.status,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


# Exchange rates


@dataclass(frozen=True)
class AppliedRate:
    """The rate used for one conversion, with where it came from: 1 `base` = `rate` `quote`."""

    base: str
    quote: str
    rate: Decimal
    source: str
    as_of: date
    inverted: bool


async def applied_rate(session: AsyncSession, base: str, quote: str) -> AppliedRate:
    """The newest rate for the pair in force today (UTC), so a rate recorded ahead of its day waits for
    it; if only the opposite pair has one, its inverse. Never a guess."""
    today = utc_now().date()
    direct = await repository.rate_in_force(session, base, quote, on=today)
    if direct is not None:
        return AppliedRate(base, quote, Decimal(direct.rate_text), direct.source, direct.as_of, inverted=False)
    opposite = await repository.rate_in_force(session, quote, base, on=today)
    if opposite is not None:
        rate = conversion.invert(Decimal(opposite.rate_text))
        return AppliedRate(base, quote, rate, opposite.source, opposite.as_of, inverted=True)
    raise NoExchangeRate(
        f"No exchange rate between {base} and {quote} is in force today; ask for prices in {base}.",
        base=base,
        quote=quote,
    )


async def display_prices(session: AsyncSession, product: Product, currency: str) -> DisplayPrices:
    applied = await applied_rate(session, product.currency, currency)
    converted = {
        name: money.to_text(
            conversion.convert(getattr(product, f"{name}_minor"), product.currency, currency, applied.rate), currency
        )
        for name in AMOUNTS
    }
    return DisplayPrices(
        currency=currency,
        **converted,
        rate=conversion.rate_text(applied.rate),
        rate_source=applied.source,
        rate_as_of=applied.as_of,
        rate_inverted=applied.inverted,
    )


async def record_exchange_rate(session: AsyncSession, principal: Principal, data: ExchangeRateCreate) -> ExchangeRate:
    """An administrator records a dated rate; one per pair, source and day."""
    await policies.require_administrator(session, principal)
    rate = ExchangeRate(
        base=data.base,
        quote=data.quote,
        rate_text=data.rate,
        source=data.source,
        as_of=data.as_of,
        recorded_by=principal.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(rate)
    except IntegrityError as error:  # the unique (base, quote, source, as_of) decides, also under a race
        raise ExchangeRateExists(
            f"{data.source} already has a {data.base}/{data.quote} rate for {data.as_of}; rates are never overwritten."
        ) from error
    return rate


async def list_exchange_rates(
    session: AsyncSession, *, base: str | None, quote: str | None, limit: int, cursor: str | None
) -> CursorPage:
    return await repository.newest_first(
        session, repository.exchange_rates(base=base, quote=quote), ExchangeRate, limit=limit, cursor=cursor
    )
