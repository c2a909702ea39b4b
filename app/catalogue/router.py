"""HTTP edge of the fair-trade catalogue. Products and exchange rates are read without a login (e-commerce
frontends show them); trading organisations are for logged-in users; every write needs a login."""

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query, Request, Response, status

from app.accounts.dependencies import CurrentUser
from app.catalogue import errors, service
from app.catalogue.models import TradingOrganisationKind, TradingOrganisationMember
from app.catalogue.schemas import (
    CatalogueChangesPage,
    ExchangeRateCreate,
    ExchangeRateRead,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    TradingOrganisationCreate,
    TradingOrganisationMemberCreate,
    TradingOrganisationMemberRead,
    TradingOrganisationRead,
    TradingOrganisationUpdate,
)
from app.catalogue.search import errors as search_errors
from app.catalogue.search import service as search_service
from app.catalogue.search.schemas import ProductSearch, ProductSummaryRead
from app.core.contract import set_location, sets_etag
from app.core.db import DbSession, ReadSession, read_connection
from app.core.errors import NotAuthenticated, PreconditionFailed, problem_responses
from app.core.http import IfMatch, etag_for
from app.core.money import CurrencyCode, InvalidAmount
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.quantity import InvalidQuantity
from app.core.query import query_model, query_parameters
from app.core.routing import DomainRouter
from app.core.schemas import CountryCode, Page

organisations_router = DomainRouter(
    prefix="/trading-organisations", tags=["trading organisations"], responses=problem_responses(NotAuthenticated)
)
products_router = DomainRouter(prefix="/catalogue/products", tags=["catalogue"])
changes_router = DomainRouter(prefix="/catalogue/changes", tags=["catalogue"])
rates_router = DomainRouter(prefix="/exchange-rates", tags=["exchange rates"])

LISTING_PROBLEMS = (
    errors.InvalidGtin,
    errors.AhtnNotUnderHsCode,
    errors.NotAseanOrigin,
    errors.AvailabilityNotValid,
    errors.PriceNotPositive,
    errors.PriceBelowMinimum,
    errors.ProducerShareAbovePrice,
    errors.QuantityNotPositive,
    InvalidAmount,
    InvalidQuantity,
)


# Trading organisations


@organisations_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TradingOrganisationRead,
    responses=problem_responses(
        errors.ProducerGroupNotFound,
        errors.GroupNotFound,
        errors.NotGroupCoordinator,
        errors.CountryDiffersFromGroup,
        errors.GroupAlreadyTrading,
    )
    | sets_etag(201),
)
async def create_trading_organisation(
    body: TradingOrganisationCreate, session: DbSession, principal: CurrentUser, response: Response
) -> TradingOrganisationRead:
    """Found a fair-trade buyer or seller, with its declarations; you become its first owner."""
    organisation = TradingOrganisationRead.model_validate(await service.create_organisation(session, principal, body))
    response.headers["ETag"] = etag_for(organisation)
    created = organisation
    set_location(response, f"/v1/trading-organisations/{created.id}")
    return created


@organisations_router.get("", response_model=Page[TradingOrganisationRead], responses=problem_responses(InvalidCursor))
async def list_trading_organisations(
    session: DbSession,
    principal: CurrentUser,
    country: Annotated[CountryCode | None, Query()] = None,
    kind: Annotated[TradingOrganisationKind | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[TradingOrganisationRead]:
    """Trading organisations, oldest first, filtered by country and kind."""
    page = await service.list_organisations(session, country=country, kind=kind, limit=limit, cursor=cursor)
    return page.to(TradingOrganisationRead)


@organisations_router.get(
    "/{organisation_id}",
    response_model=TradingOrganisationRead,
    responses=problem_responses(errors.TradingOrganisationNotFound) | sets_etag(),
)
async def read_trading_organisation(
    organisation_id: UUID, session: DbSession, principal: CurrentUser, response: Response
) -> TradingOrganisationRead:
    """A trading organisation's profile and its fair-trade declarations."""
    organisation = TradingOrganisationRead.model_validate(await service.get_organisation(session, organisation_id))
    response.headers["ETag"] = etag_for(organisation)
    return organisation


@organisations_router.patch(
    "/{organisation_id}",
    response_model=TradingOrganisationRead,
    responses=problem_responses(errors.TradingOrganisationNotFound, errors.NotOrganisationMember, PreconditionFailed)
    | sets_etag(),
)
async def update_trading_organisation(
    organisation_id: UUID,
    body: TradingOrganisationUpdate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> TradingOrganisationRead:
    """Members rename the organisation or declare its practices anew. Send `If-Match` to avoid lost updates."""
    organisation = await service.update_organisation(
        session, principal, organisation_id=organisation_id, changes=body, if_match=if_match
    )
    updated = TradingOrganisationRead.model_validate(organisation)
    response.headers["ETag"] = etag_for(updated)
    return updated


@organisations_router.post(
    "/{organisation_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=TradingOrganisationMemberRead,
    responses=problem_responses(
        errors.TradingOrganisationNotFound,
        errors.NotOrganisationOwner,
        errors.UserNotFound,
        errors.AlreadyOrganisationMember,
    ),
)
async def add_trading_organisation_member(
    organisation_id: UUID,
    body: TradingOrganisationMemberCreate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
) -> TradingOrganisationMember:
    """Owners add a user as a member (who may list products) or as another owner."""
    created = await service.add_member(
        session, principal, organisation_id=organisation_id, user_id=body.user_id, role=body.role
    )
    set_location(response, f"/v1/trading-organisations/{organisation_id}")
    return created


# Products


@products_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductRead,
    responses=problem_responses(
        NotAuthenticated, errors.TradingOrganisationNotFound, errors.NotOrganisationMember, *LISTING_PROBLEMS
    )
    | sets_etag(201),
)
async def create_catalogue_product(
    body: ProductCreate, session: DbSession, principal: CurrentUser, response: Response
) -> ProductRead:
    """Members of a trading organisation list a product; its price is never below its own minimum price."""
    product = service.product_read(await service.offer_product(session, principal, body))
    response.headers["ETag"] = etag_for(product)
    created = product
    set_location(response, f"/v1/catalogue/products/{created.id}")
    return created


@products_router.get(
    "",
    response_model=Page[ProductSummaryRead],
    responses=problem_responses(
        InvalidCursor,
        InvalidAmount,
        search_errors.SearchNeedsWords,
        search_errors.TooManySearchWords,
        search_errors.RelevanceNeedsSearch,
        search_errors.PriceNeedsCurrency,
        search_errors.PriceRangeEmpty,
    ),
    openapi_extra={"parameters": query_parameters(ProductSearch)},
)
async def list_catalogue_products(
    request: Request, search: Annotated[ProductSearch, Depends(query_model(ProductSearch))]
) -> Response:
    """Browse and search listed products: full text, filters, sorts and prices in your currency; no login needed."""
    # Opened here rather than by a dependency: FastAPI's machinery for a yielding dependency cost a
    # twentieth of this request's CPU.
    async with read_connection(request) as connection:
        page = await search_service.search_products(connection, search)
    # Validated once while building the page; returning a Response skips FastAPI's second validation.
    return Response(page.model_dump_json(), media_type="application/json")


@products_router.get(
    "/{product_id}",
    response_model=ProductRead,
    responses=problem_responses(errors.ProductNotFound, errors.NoExchangeRate) | sets_etag(),
)
async def read_catalogue_product(
    product_id: UUID,
    session: ReadSession,
    response: Response,
    currency: Annotated[
        CurrencyCode | None,
        Query(description="Also show the prices in this currency, converted with the newest rate in force today."),
    ] = None,
) -> ProductRead:
    """A product with its price breakdown, seller and certificates; no login needed."""
    product = await service.read_product(session, product_id, currency=currency)
    # The tag identifies the listing, whatever the display currency: it is what If-Match compares.
    response.headers["ETag"] = etag_for(product.model_copy(update={"display": None}))
    return product


@products_router.patch(
    "/{product_id}",
    response_model=ProductRead,
    responses=problem_responses(
        NotAuthenticated,
        errors.ProductNotFound,
        errors.NotOrganisationMember,
        PreconditionFailed,
        errors.CurrencyChangeNeedsAmounts,
        errors.UnitChangeNeedsQuantities,
        *LISTING_PROBLEMS,
    )
    | sets_etag(),
)
async def update_catalogue_product(
    product_id: UUID,
    body: ProductUpdate,
    session: DbSession,
    principal: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> ProductRead:
    """Members of the seller change a listing; a new price is never below the minimum price either."""
    product = service.product_read(
        await service.change_product(session, principal, product_id=product_id, changes=body, if_match=if_match)
    )
    response.headers["ETag"] = etag_for(product)
    return product


@products_router.delete(
    "/{product_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(
        NotAuthenticated, errors.ProductNotFound, errors.NotOrganisationMember, PreconditionFailed
    ),
)
async def withdraw_catalogue_product(
    product_id: UUID, session: DbSession, principal: CurrentUser, if_match: IfMatch = None
) -> None:
    """Members of the seller withdraw a listing; it disappears from the catalogue."""
    await service.withdraw_product(session, principal, product_id=product_id, if_match=if_match)


@changes_router.get("", response_model=CatalogueChangesPage, responses=problem_responses(InvalidCursor))
async def list_catalogue_changes(
    session: ReadSession, limit: Limit = 100, cursor: Cursor = None
) -> CatalogueChangesPage:
    """Products created, changed or withdrawn since `cursor`, oldest first, each as it is now; no login needed.

    A storefront mirrors the catalogue by reading from no cursor to the end once, then from the last
    `next_cursor` it was given, whenever it likes: it never reads the whole catalogue again. A change appears
    here a few seconds after it is made."""
    return await service.catalogue_changes(session, cursor=cursor, limit=limit)


# Exchange rates


@rates_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ExchangeRateRead,
    responses=problem_responses(NotAuthenticated, errors.NotAdministrator, errors.ExchangeRateExists),
)
async def create_exchange_rate(
    body: ExchangeRateCreate, session: DbSession, principal: CurrentUser, response: Response
) -> ExchangeRateRead:
    """Administrators record a dated rate from a named source; a recorded rate is never changed."""
    created = ExchangeRateRead.model_validate(await service.record_exchange_rate(session, principal, body))
    set_location(response, "/v1/exchange-rates")
    return created


@rates_router.get("", response_model=Page[ExchangeRateRead], responses=problem_responses(InvalidCursor))
async def list_exchange_rates(
    session: ReadSession,
    base: Annotated[CurrencyCode | None, Query()] = None,
    quote: Annotated[CurrencyCode | None, Query()] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ExchangeRateRead]:
    """Recorded exchange rates, newest first, filtered by currency pair; no login needed."""
    page = await service.list_exchange_rates(session, base=base, quote=quote, limit=limit, cursor=cursor)
    return page.to(ExchangeRateRead)
