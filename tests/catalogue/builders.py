"""Builders for catalogue tests: organisations, products and rates inserted directly; request bodies."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.catalogue.models import (
    ExchangeRate,
    MemberRole,
    Product,
    ProductCategory,
    ProductCertification,
    ProductImage,
    ProductStatus,
    TradingOrganisation,
    TradingOrganisationKind,
    TradingOrganisationMember,
)
from app.core.config import Settings
from app.core.quantity import Unit
from app.core.schemas import Page
from tests.factories import auth_headers, create_user, unique

# Sample GTINs: a valid GTIN-13 (a GS1 Germany example) and the same with its check digit changed.
VALID_GTIN = "4006381333931"
WRONG_CHECK_DIGIT_GTIN = "4006381333932"


def today() -> date:
    return datetime.now(UTC).date()


def assert_problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def create_organisation(
    session: AsyncSession,
    *,
    owner: User,
    members: tuple[User, ...] = (),
    kind: TradingOrganisationKind = TradingOrganisationKind.producer_cooperative,
    country: str = "TH",
    name: str | None = None,
    producer_group_id: UUID | None = None,
    consumer_group_id: UUID | None = None,
) -> TradingOrganisation:
    organisation = TradingOrganisation(
        name=name or unique("Co-op"),
        kind=kind,
        country=country,
        region="Chiang Rai",
        producer_group_id=producer_group_id,
        consumer_group_id=consumer_group_id,
        declares_no_child_labour=True,
        declares_non_discrimination=True,
        declares_safe_work=True,
        declares_environmental_practice=False,
        created_by=owner.id,
    )
    session.add(organisation)
    await session.flush()
    session.add(
        TradingOrganisationMember(
            trading_organisation_id=organisation.id, user_id=owner.id, role=MemberRole.owner, added_by=owner.id
        )
    )
    session.add_all(
        TradingOrganisationMember(
            trading_organisation_id=organisation.id, user_id=user.id, role=MemberRole.member, added_by=owner.id
        )
        for user in members
    )
    await session.flush()
    return organisation


async def create_product(
    session: AsyncSession,
    seller: TradingOrganisation,
    *,
    created_by: User,
    currency: str = "THB",
    price_minor: int = 25_000,
    minimum_price_minor: int = 20_000,
    premium_minor: int = 2_000,
    producer_share_minor: int = 15_000,
    origin_country: str = "TH",
    certifications: tuple[tuple[str, date], ...] = (),
    status: ProductStatus = ProductStatus.listed,
    name: str | None = None,
) -> Product:
    """A product of 1 kg packs of coffee, 250.00 THB a kg by default, inserted directly."""
    product = Product(
        seller_id=seller.id,
        name=name or unique("Arabica"),
        description="Shade-grown arabica from the Doi Chaang hills.",
        category=ProductCategory.coffee,
        origin_country=origin_country,
        origin_region="Chiang Rai",
        unit=Unit.kg,
        pack_size_base=1_000,
        hs_code="090111",
        minimum_order_quantity_base=20_000,
        lead_time_days=14,
        currency=currency,
        price_minor=price_minor,
        minimum_price_minor=minimum_price_minor,
        premium_minor=premium_minor,
        producer_share_minor=producer_share_minor,
        status=status,
        created_by=created_by.id,
        certifications=[
            ProductCertification(
                position=position, scheme=scheme, issuer="WFTO", number=unique("WFTO"), expires_on=expires_on
            )
            for position, (scheme, expires_on) in enumerate(certifications)
        ],
        images=[ProductImage(position=0, url="https://example.org/arabica.jpg")],
    )
    session.add(product)
    await session.flush()
    return product


async def create_rate(
    session: AsyncSession,
    base: str,
    quote: str,
    rate: str,
    *,
    recorded_by: User,
    as_of: date | None = None,
    source: str = "Bank of Thailand",
) -> ExchangeRate:
    exchange_rate = ExchangeRate(
        base=base, quote=quote, rate_text=rate, source=source, as_of=as_of or today(), recorded_by=recorded_by.id
    )
    session.add(exchange_rate)
    await session.flush()
    return exchange_rate


async def create_admin(session: AsyncSession) -> User:
    user = await create_user(session, display_name="Administrator")
    user.is_admin = True
    await session.flush()
    return user


def product_body(seller_id: UUID, **changes: Any) -> dict[str, Any]:
    """A complete, valid listing: Thai arabica, intra-ASEAN codes, 250.00 THB a kg."""
    return {
        "seller_id": str(seller_id),
        "name": "Doi Chaang arabica, washed",
        "description": "Shade-grown arabica, washed and sun-dried by the Akha farmers of Doi Chaang.",
        "category": "coffee",
        "origin_country": "TH",
        "origin_region": "Chiang Rai",
        "unit": "kg",
        "pack_size": "1",
        "hs_code": "090111",
        "gtin": VALID_GTIN,
        "certifications": [
            {
                "scheme": "WFTO Guaranteed Fair Trade",
                "issuer": "World Fair Trade Organization",
                "number": "WFTO-TH-0042",
                "expires_on": (today() + timedelta(days=365)).isoformat(),
            }
        ],
        "available_from": "2027-01-01",
        "available_to": "2027-06-30",
        "minimum_order_quantity": "20.5",
        "lead_time_days": 14,
        "images": ["https://example.org/coffee/arabica.jpg"],
        "ahtn_code": "09011110",
        "form_d_criterion": "WO",
        "currency": "THB",
        "price": "250.00",
        "minimum_price": "200.00",
        "premium": "20.00",
        "producer_share": "150.00",
        **changes,
    }


def product_ids(page: dict[str, Any]) -> list[str]:
    return [product["id"] for product in page["data"]]


def empty_page() -> dict[str, Any]:
    return Page[Any](data=[], has_more=False, next_cursor=None).model_dump()


@dataclass(frozen=True)
class Callers:
    """A trading organisation and one user per role, for authorization matrices."""

    settings: Settings
    organisation: TradingOrganisation
    owner: User
    member: User
    outsider: User  # owns another organisation

    def headers_for(self, caller: str | None) -> dict[str, str]:
        if caller is None:
            return {}
        user: User = getattr(self, caller)
        return auth_headers(self.settings, user.id)


async def create_callers(session: AsyncSession, settings: Settings) -> Callers:
    owner = await create_user(session, display_name="Ploy")
    member = await create_user(session, display_name="Anan")
    outsider = await create_user(session, display_name="Thu")
    organisation = await create_organisation(session, owner=owner, members=(member,), name="Doi Chaang Co-op")
    await create_organisation(session, owner=outsider, kind=TradingOrganisationKind.importer, country="VN")
    return Callers(settings=settings, organisation=organisation, owner=owner, member=member, outsider=outsider)
