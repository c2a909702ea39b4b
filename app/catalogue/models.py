"""The cross-border fair-trade catalogue: trading organisations and their members, products with
their fair-trade prices (minimum price and premium per unit), and dated exchange rates."""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, CheckConstraint, Date, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now
from app.core.quantity import Unit

MAX_LEAD_TIME_DAYS = 365


class TradingOrganisationKind(enum.StrEnum):
    importer = "importer"
    shop = "shop"
    producer_cooperative = "producer_cooperative"
    producer_group = "producer_group"  # a producer group of this service, selling as itself
    consumer_group = "consumer_group"  # a consumer group of this service, selling its surplus (principle 3)
    other = "other"


class MemberRole(enum.StrEnum):
    owner = "owner"  # adds members
    member = "member"  # lists products and edits the organisation


class ProductCategory(enum.StrEnum):
    coffee = "coffee"
    tea = "tea"
    rice = "rice"
    sugar = "sugar"
    spices = "spices"
    cocoa = "cocoa"
    fruit = "fruit"
    vegetables = "vegetables"
    handicrafts = "handicrafts"
    textiles = "textiles"
    other = "other"


class ProductStatus(enum.StrEnum):
    listed = "listed"
    withdrawn = "withdrawn"  # kept for the orders that name it, hidden from every read


class TradingOrganisation(Base):
    """A fair-trade buyer or seller. One that acts for a producer or consumer group names it."""

    __tablename__ = "trading_organisation"
    __table_args__ = (
        CheckConstraint("producer_group_id IS NULL OR consumer_group_id IS NULL", name="acts_for_one_group"),
        Index("ix_trading_organisation_country_created", "country", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TradingOrganisationKind] = mapped_column(
        Enum(TradingOrganisationKind, native_enum=False, length=32), index=True
    )
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(200))
    # A group trades through one organisation at most, so its listings are never split or doubled.
    producer_group_id: Mapped[UUID | None] = mapped_column(ForeignKey("producer_group.id"), unique=True)
    consumer_group_id: Mapped[UUID | None] = mapped_column(ForeignKey("consumer_group.id"), unique=True)
    # The organisation's own declarations of the fair-trade principles; declared_at dates the latest.
    declares_no_child_labour: Mapped[bool] = mapped_column()
    declares_non_discrimination: Mapped[bool] = mapped_column()
    declares_safe_work: Mapped[bool] = mapped_column()
    declares_environmental_practice: Mapped[bool] = mapped_column()
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    @property
    def declarations(self) -> dict[str, bool]:
        return {
            "no_child_labour": self.declares_no_child_labour,
            "non_discrimination": self.declares_non_discrimination,
            "safe_work": self.declares_safe_work,
            "environmental_practice": self.declares_environmental_practice,
        }


class TradingOrganisationMember(Base):
    __tablename__ = "trading_organisation_member"
    # Named here: the naming convention's names would pass PostgreSQL's 63-character limit.
    __table_args__ = (
        UniqueConstraint("trading_organisation_id", "user_id", name="uq_trading_organisation_member_user"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    trading_organisation_id: Mapped[UUID] = mapped_column(
        ForeignKey("trading_organisation.id", ondelete="CASCADE", name="fk_trading_organisation_member_organisation")
    )
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(Enum(MemberRole, native_enum=False, length=16))
    added_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class Product(Base):
    """A listing. Money in minor units of `currency`, quantities in base steps of `unit`; all amounts per unit."""

    __tablename__ = "product"
    __table_args__ = (
        # The fair-trade floor: a listing below its own minimum price is refused (DESIGN, catalogue).
        CheckConstraint("price_minor >= minimum_price_minor", name="price_not_below_minimum"),
        CheckConstraint("price_minor > 0", name="price_positive"),
        CheckConstraint("minimum_price_minor >= 0", name="minimum_price_not_negative"),
        # The premium is its own amount, paid on top into the producers' fund, never netted into the price.
        CheckConstraint("premium_minor >= 0", name="premium_not_negative"),
        CheckConstraint("producer_share_minor BETWEEN 0 AND price_minor", name="producer_share_within_price"),
        CheckConstraint("pack_size_base > 0", name="pack_size_positive"),
        CheckConstraint("minimum_order_quantity_base > 0", name="minimum_order_positive"),
        CheckConstraint(f"lead_time_days BETWEEN 0 AND {MAX_LEAD_TIME_DAYS}", name="lead_time_range"),
        CheckConstraint(
            "available_from IS NULL OR available_to IS NULL OR available_from <= available_to",
            name="availability_ordered",
        ),
        CheckConstraint("ahtn_code IS NULL OR substr(ahtn_code, 1, 6) = hs_code", name="ahtn_under_hs_code"),
        # Newest first, for the public listing and a seller's own listing.
        Index("ix_product_status_created", "status", "created_at", "id"),
        Index("ix_product_seller_created", "seller_id", "created_at", "id"),
        # In order of change, for mirrors reading the catalogue's changes.
        Index("ix_product_updated", "updated_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    seller_id: Mapped[UUID] = mapped_column(ForeignKey("trading_organisation.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000))
    category: Mapped[ProductCategory] = mapped_column(Enum(ProductCategory, native_enum=False, length=32), index=True)
    origin_country: Mapped[str] = mapped_column(String(2), index=True)
    origin_region: Mapped[str] = mapped_column(String(200))
    unit: Mapped[Unit] = mapped_column(Enum(Unit, native_enum=False, length=16))
    pack_size_base: Mapped[int] = mapped_column(BigInteger)
    hs_code: Mapped[str] = mapped_column(String(6))
    gtin: Mapped[str | None] = mapped_column(String(14))
    # Intra-ASEAN trade only (ATIGA): the AHTN 8-digit code and the Form D origin criterion.
    ahtn_code: Mapped[str | None] = mapped_column(String(8))
    form_d_criterion: Mapped[str | None] = mapped_column(String(16))
    available_from: Mapped[date | None] = mapped_column(Date)
    available_to: Mapped[date | None] = mapped_column(Date)
    minimum_order_quantity_base: Mapped[int] = mapped_column(BigInteger)
    lead_time_days: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    minimum_price_minor: Mapped[int] = mapped_column(BigInteger)
    premium_minor: Mapped[int] = mapped_column(BigInteger)
    producer_share_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[ProductStatus] = mapped_column(
        Enum(ProductStatus, native_enum=False, length=16), default=ProductStatus.listed
    )
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    seller: Mapped[TradingOrganisation] = relationship(lazy="raise")
    certifications: Mapped[list[ProductCertification]] = relationship(
        lazy="raise", order_by="ProductCertification.position", cascade="all, delete-orphan"
    )
    images: Mapped[list[ProductImage]] = relationship(
        lazy="raise", order_by="ProductImage.position", cascade="all, delete-orphan"
    )


class ProductCertification(Base):
    """A certificate the product is sold under (WFTO, Fairtrade, organic, PGS); shown expired after its expiry."""

    __tablename__ = "product_certification"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    scheme: Mapped[str] = mapped_column(String(100), index=True)
    issuer: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(100))
    expires_on: Mapped[date] = mapped_column(Date)

    @property
    def expired(self) -> bool:
        # Valid through its expiry date; "today" is the UTC date, the same for every client.
        return self.expires_on < utc_now().date()


class ProductImage(Base):
    __tablename__ = "product_image"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    url: Mapped[str] = mapped_column(String(500))


class ExchangeRate(Base):
    """One dated rate: 1 `base` = `rate_text` `quote`. Kept as decimal text, never a float (REFERENCE 2.4)."""

    __tablename__ = "exchange_rate"
    __table_args__ = (
        UniqueConstraint("base", "quote", "source", "as_of"),
        CheckConstraint("base <> quote", name="two_currencies"),
        Index("ix_exchange_rate_pair_as_of", "base", "quote", "as_of"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    rate_text: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
