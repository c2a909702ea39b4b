"""What a catalogue search answers: one summary per product, light enough for a result list."""

import enum
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.catalogue.models import ProductCategory
from app.core.money import AmountText, CurrencyCode
from app.core.quantity import Unit
from app.core.schemas import CountryCode, Name, Schema


class ProductSort(enum.StrEnum):
    relevance = "relevance"
    price_asc = "price_asc"
    price_desc = "price_desc"
    newest = "newest"


PRICE_SORTS = frozenset({ProductSort.price_asc, ProductSort.price_desc})


class ProductSearch(BaseModel):
    """The query parameters of GET /v1/catalogue/products, validated in one pass. Unknown ones are ignored,
    as on every other list."""

    model_config = ConfigDict(frozen=True)

    q: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Words to find in the name or description, all of them; the last also as a prefix."
    )
    country: CountryCode | None = Field(default=None, description="Origin country.")
    asean: bool = Field(default=False, description="Only products of ASEAN origin.")
    category: ProductCategory | None = None
    certified: bool = Field(default=False, description="Only products with a certificate not expired today (UTC).")
    certification: Annotated[Name, Field(max_length=100)] | None = Field(
        default=None, description="Only products with an unexpired certificate of this scheme, as written on it."
    )
    seller_id: UUID | None = Field(default=None, description="Only this trading organisation's products.")
    min_price: AmountText | None = Field(default=None, description="In `price_currency`.")
    max_price: AmountText | None = Field(default=None, description="In `price_currency`.")
    price_currency: CurrencyCode | None = Field(
        default=None,
        description="Currency of min_price, max_price and the price sorts (default: `currency`); products in a "
        "currency without a stored rate to it are left out of those.",
    )
    currency: CurrencyCode | None = Field(
        default=None, description="Also show each price in this currency, with the stored rate used."
    )
    sort: ProductSort | None = Field(default=None, description="Default: relevance with `q`, otherwise newest.")
    limit: int = Field(default=20, ge=1, le=100, description="Page size, 1 to 100.")
    # Longer than app.core.pagination's cursors: a price key may carry some 50 digits.
    cursor: str | None = Field(
        default=None, max_length=400, pattern=r"^[A-Za-z0-9_=-]*$", description="`next_cursor` of the previous page."
    )


class DisplayPriceRead(Schema):
    """The price converted with a stored, dated rate, for display; an estimate, not a settlement rate."""

    currency: str
    price: str
    rate: str = Field(description="1 unit of the product's currency in `currency`.", examples=["712.345"])
    rate_source: str
    rate_as_of: date
    rate_inverted: bool = Field(
        description="True when only the opposite pair is stored and `rate` is its inverse (28 significant digits)."
    )


class ProductSummaryRead(Schema):
    id: UUID
    name: str
    category: ProductCategory
    origin_country: str
    seller_id: UUID
    seller_name: str
    unit: Unit
    price: str = Field(description="Price of one `unit` in `currency`.")
    currency: str
    certified: bool = Field(description="True while at least one of its certificates has not expired (UTC date).")
    display: DisplayPriceRead | None = Field(
        description="The price in `?currency=`; null for products in that currency or with no stored rate to it."
    )
    created_at: datetime
