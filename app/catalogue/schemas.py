import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StringConstraints, model_validator

from app.catalogue.codes import AHTN_CODE_PATTERN, FORM_D_PATTERN, GTIN_PATTERN, HS_CODE_PATTERN
from app.catalogue.models import MAX_LEAD_TIME_DAYS, MemberRole, ProductCategory, ProductStatus, TradingOrganisationKind
from app.core.money import AmountText, CurrencyCode
from app.core.quantity import QuantityText, Unit
from app.core.schemas import CountryCode, Day, Name, Schema, Text

# Trading organisations


class Declarations(Schema):
    """The organisation's own declarations on the fair-trade principles (WFTO principles 5, 6, 7 and 10)."""

    no_child_labour: StrictBool
    non_discrimination: StrictBool
    safe_work: StrictBool
    environmental_practice: StrictBool


class TradingOrganisationCreate(Schema):
    name: Name
    kind: TradingOrganisationKind
    country: CountryCode
    region: Name | None = None
    producer_group_id: UUID | None = Field(
        default=None, description="The producer group it sells for; you must coordinate it."
    )
    consumer_group_id: UUID | None = Field(
        default=None, description="The consumer group whose surplus it sells; you must coordinate it."
    )
    declarations: Declarations

    @model_validator(mode="after")
    def group_matches_kind(self) -> "TradingOrganisationCreate":
        if self.producer_group_id is not None and self.consumer_group_id is not None:
            raise ValueError("an organisation acts for one group at most")
        if (self.kind == TradingOrganisationKind.producer_group) != (self.producer_group_id is not None):
            raise ValueError("kind producer_group goes with producer_group_id, and only with it")
        if (self.kind == TradingOrganisationKind.consumer_group) != (self.consumer_group_id is not None):
            raise ValueError("kind consumer_group goes with consumer_group_id, and only with it")
        return self


class TradingOrganisationUpdate(Schema):
    name: Name | None = None
    region: Name | None = Field(default=None, description="Send null to clear it.")
    declarations: Declarations | None = Field(default=None, description="Declared anew: `declared_at` becomes now.")

    @model_validator(mode="after")
    def name_and_declarations_are_not_cleared(self) -> "TradingOrganisationUpdate":
        _refuse_nulls(self, "name", "declarations")
        return self


class TradingOrganisationRead(Schema):
    id: UUID
    name: str
    kind: TradingOrganisationKind
    country: str
    region: str | None
    producer_group_id: UUID | None
    consumer_group_id: UUID | None
    declarations: Declarations
    declared_at: datetime
    created_at: datetime
    updated_at: datetime


class TradingOrganisationMemberCreate(Schema):
    user_id: UUID
    role: MemberRole = Field(default=MemberRole.member, description="Owners add members; members list products.")


class TradingOrganisationMemberRead(Schema):
    trading_organisation_id: UUID
    user_id: UUID
    role: MemberRole
    added_by: UUID
    created_at: datetime


class SellerRead(Schema):
    """The selling organisation as buyers see it."""

    id: UUID
    name: str
    kind: TradingOrganisationKind
    country: str
    region: str | None
    declarations: Declarations
    declared_at: datetime


# Products

ImageUrl = Annotated[
    str,
    StringConstraints(max_length=500, pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][\x21-\x7e]*)?$"),
    Field(description="An https URL of at most 500 characters.", examples=["https://example.org/coffee.jpg"]),
]
HsCode = Annotated[str, StringConstraints(pattern=HS_CODE_PATTERN), Field(examples=["090111"])]
AhtnCode = Annotated[
    str,
    StringConstraints(pattern=AHTN_CODE_PATTERN),
    Field(description="8 digits beginning with the HS code; ASEAN origins only.", examples=["09011110"]),
]
Gtin = Annotated[
    str,
    StringConstraints(pattern=GTIN_PATTERN),
    Field(description="GTIN-8, -12, -13 or -14 with a valid GS1 check digit.", examples=["4006381333931"]),
]
FormDCriterion = Annotated[
    str,
    StringConstraints(pattern=FORM_D_PATTERN),
    Field(
        description='ATIGA Form D origin criterion: WO, PE, CTH, CTSH, CC, "RVC 40% + CTSH" or "RVC NN%" with '
        "NN at least 40; ASEAN origins only.",
        examples=["RVC 40%"],
    ),
]
LeadTimeDays = Annotated[StrictInt, Field(ge=0, le=MAX_LEAD_TIME_DAYS)]
Images = Annotated[list[ImageUrl], Field(max_length=10)]


class ProductCertificationCreate(Schema):
    scheme: Annotated[
        Name, Field(max_length=100, description="WFTO Guaranteed Fair Trade, Fairtrade, organic, PGS, ...")
    ]
    issuer: Name
    number: Annotated[Name, Field(max_length=100)]
    expires_on: Day = Field(description="Last day of validity; after it the certificate is shown expired.")


Certifications = Annotated[list[ProductCertificationCreate], Field(max_length=20)]

PRICE_DESCRIPTIONS = {
    "price": "Price of one unit in `currency`; never below `minimum_price`.",
    "minimum_price": "The fair-trade minimum price of one unit.",
    "premium": "The fair-trade premium per unit, paid on top of the price into the producers' collective fund.",
    "producer_share": "What of the price of one unit reaches the producers; at most the price.",
}


class ProductCreate(Schema):
    seller_id: UUID = Field(description="The trading organisation that sells; you must be its member.")
    name: Name
    description: Text
    category: ProductCategory
    origin_country: CountryCode
    origin_region: Name
    unit: Unit
    pack_size: QuantityText = Field(description="Quantity in one pack, in `unit`.")
    hs_code: HsCode
    gtin: Gtin | None = None
    certifications: Certifications = Field(default_factory=list)
    available_from: Day | None = None
    available_to: Day | None = None
    minimum_order_quantity: QuantityText = Field(description="In `unit`.")
    lead_time_days: LeadTimeDays
    images: Images = Field(default_factory=list)
    ahtn_code: AhtnCode | None = None
    form_d_criterion: FormDCriterion | None = None
    currency: CurrencyCode
    price: AmountText = Field(description=PRICE_DESCRIPTIONS["price"])
    minimum_price: AmountText = Field(description=PRICE_DESCRIPTIONS["minimum_price"])
    premium: AmountText = Field(description=PRICE_DESCRIPTIONS["premium"])
    producer_share: AmountText = Field(description=PRICE_DESCRIPTIONS["producer_share"])


NULLABLE_PRODUCT_FIELDS = frozenset({"gtin", "available_from", "available_to", "ahtn_code", "form_d_criterion"})


class ProductUpdate(Schema):
    """Only the fields sent change; send null to clear an optional one. Lists are replaced whole."""

    name: Name | None = None
    description: Text | None = None
    category: ProductCategory | None = None
    origin_country: CountryCode | None = None
    origin_region: Name | None = None
    unit: Unit | None = Field(default=None, description="A new unit needs `pack_size` and `minimum_order_quantity`.")
    pack_size: QuantityText | None = None
    hs_code: HsCode | None = None
    gtin: Gtin | None = None
    certifications: Certifications | None = None
    available_from: Day | None = None
    available_to: Day | None = None
    minimum_order_quantity: QuantityText | None = None
    lead_time_days: LeadTimeDays | None = None
    images: Images | None = None
    ahtn_code: AhtnCode | None = None
    form_d_criterion: FormDCriterion | None = None
    currency: CurrencyCode | None = Field(default=None, description="A new currency needs all four amounts in it.")
    price: AmountText | None = None
    minimum_price: AmountText | None = None
    premium: AmountText | None = None
    producer_share: AmountText | None = None

    @model_validator(mode="after")
    def required_fields_are_not_cleared(self) -> "ProductUpdate":
        _refuse_nulls(self, *(set(type(self).model_fields) - NULLABLE_PRODUCT_FIELDS))
        return self


class ProductCertificationRead(Schema):
    scheme: str
    issuer: str
    number: str
    expires_on: date
    expired: bool = Field(description="True once `expires_on` is before today's date in UTC.")


class PriceBreakdown(Schema):
    """Per unit, in the product's currency. The premium is paid on top of the price, never inside it."""

    price: str
    minimum_price: str
    premium: str
    producer_share: str
    producer_share_percent: str = Field(
        description="producer_share / price × 100, one decimal, rounded half to even.", examples=["62.5"]
    )
    price_paid_at_least: str = Field(description="max(minimum_price, price): a buyer never pays less.")


class DisplayPrices(Schema):
    """The prices converted for display with a stored, dated rate; an estimate, not a settlement rate."""

    currency: str
    price: str
    minimum_price: str
    premium: str
    producer_share: str
    rate: str = Field(description="1 unit of the product's currency in `currency`.", examples=["712.345"])
    rate_source: str
    rate_as_of: date
    rate_inverted: bool = Field(
        description="True when only the opposite pair is stored and `rate` is its inverse (28 significant digits)."
    )


class ProductRead(Schema):
    id: UUID
    seller_id: UUID
    seller: SellerRead
    name: str
    description: str
    category: ProductCategory
    origin_country: str
    origin_region: str
    unit: Unit
    pack_size: str
    hs_code: str
    gtin: str | None
    certifications: list[ProductCertificationRead]
    available_from: date | None
    available_to: date | None
    minimum_order_quantity: str
    lead_time_days: int
    images: list[str]
    ahtn_code: str | None
    form_d_criterion: str | None
    currency: str
    price: str
    minimum_price: str
    premium: str
    producer_share: str
    price_breakdown: PriceBreakdown
    display: DisplayPrices | None = Field(
        description="Present when `?currency=` names another currency than the product's."
    )
    status: ProductStatus
    created_at: datetime
    updated_at: datetime


class ProductChange(enum.StrEnum):
    created = "created"
    updated = "updated"
    withdrawn = "withdrawn"


class CatalogueChangeRead(Schema):
    """A product as it stands after its latest change; withdrawn ones carry no listing."""

    change: ProductChange
    product_id: UUID
    changed_at: datetime
    product: ProductRead | None = Field(description="The listing now; null once withdrawn.")


class CatalogueChangesPage(Schema):
    data: list[CatalogueChangeRead]
    has_more: bool
    next_cursor: str = Field(
        description="Pass as `cursor` for the changes after these: on the last page too, to poll for new ones."
    )


# Exchange rates

RATE_PATTERN = r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,12})?$"


def _above_zero(rate: str) -> str:
    if Decimal(rate) <= 0:
        raise ValueError("must be above zero")
    return rate


RateText = Annotated[
    str,
    StringConstraints(pattern=RATE_PATTERN, max_length=28),
    AfterValidator(_above_zero),
    Field(description="Units of `quote` for one unit of `base`, a decimal string above zero, up to 12 decimals."),
]


class ExchangeRateCreate(Schema):
    base: CurrencyCode
    quote: CurrencyCode
    rate: RateText
    source: Annotated[Name, Field(description="Where the rate comes from, e.g. 'Bank of Thailand reference rate'.")]
    as_of: Day = Field(description="The day the rate is for; conversions use it from that day (UTC) on, not before.")

    @model_validator(mode="after")
    def two_currencies(self) -> "ExchangeRateCreate":
        if self.base == self.quote:
            raise ValueError("base and quote must differ")
        return self


class ExchangeRateRead(Schema):
    id: UUID
    base: str
    quote: str
    rate: str = Field(validation_alias="rate_text")
    source: str
    as_of: date
    created_at: datetime


def _refuse_nulls(model: Schema, *fields: str) -> None:
    """An explicit null on a field that must have a value; leaving the field out keeps it."""
    cleared = sorted(field for field in fields if field in model.model_fields_set and getattr(model, field) is None)
    if cleared:
        raise ValueError(f"{', '.join(cleared)} cannot be null; leave a field out to keep its value")
