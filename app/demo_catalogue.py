"""Demo catalogue: fair-trade sellers in eight ASEAN countries, buyers abroad, a few dozen products
(certified and not, in their own currencies) and dated exchange rates to USD, EUR, JPY and between
the ASEAN currencies. Built through the services, so every catalogue rule holds."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import combinations
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.catalogue import service as catalogue
from app.catalogue.models import ProductCategory, TradingOrganisation, TradingOrganisationKind
from app.catalogue.schemas import (
    Declarations,
    ExchangeRateCreate,
    ProductCertificationCreate,
    ProductCreate,
    TradingOrganisationCreate,
)
from app.core.quantity import Unit
from app.trade.models import TradeTerms
from app.trade.schemas import (
    PrefinancePaymentCreate,
    SettlementPaymentCreate,
    TradeOrderConfirmation,
    TradeOrderCreate,
    TradeOrderLineCreate,
    TradeOrderRead,
)
from app.trade.service import lifecycle as trade
from app.trade.service import payments as trade_payments

ALL_DECLARED = Declarations(no_child_labour=True, non_discrimination=True, safe_work=True, environmental_practice=True)
# Units of each currency one US dollar bought on the demo's rate day (made-up but plausible).
PER_US_DOLLAR = {
    "THB": "34.50",
    "VND": "25400",
    "IDR": "16200",
    "PHP": "58.10",
    "MYR": "4.40",
    "KHR": "4060",
    "LAK": "22000",
    "MMK": "2100",
    "SGD": "1.29",
    "EUR": "0.926",
    "JPY": "150.2",
}
ASEAN_CURRENCIES = ["THB", "VND", "IDR", "PHP", "MYR", "KHR", "LAK", "MMK", "SGD"]


@dataclass(frozen=True)
class Seller:
    key: str
    name: str
    kind: TradingOrganisationKind
    country: str
    region: str
    currency: str


SELLERS = [
    Seller(
        "daklak", "Dak Lak Coffee Cooperative", TradingOrganisationKind.producer_cooperative, "VN", "Dak Lak", "VND"
    ),
    Seller(
        "bohol", "Bohol Coconut Farmers Cooperative", TradingOrganisationKind.producer_cooperative, "PH", "Bohol", "PHP"
    ),
    Seller(
        "kampot",
        "Kampot Pepper Growers Association",
        TradingOrganisationKind.producer_cooperative,
        "KH",
        "Kampot",
        "KHR",
    ),
    Seller(
        "bolaven",
        "Bolaven Plateau Coffee Producers",
        TradingOrganisationKind.producer_cooperative,
        "LA",
        "Champasak",
        "LAK",
    ),
    Seller(
        "shan", "Shan Highland Tea Growers", TradingOrganisationKind.producer_cooperative, "MM", "Shan State", "MMK"
    ),
    Seller("sabah", "Sabah Weavers Collective", TradingOrganisationKind.producer_cooperative, "MY", "Sabah", "MYR"),
    Seller(
        "surin",
        "Surin Jasmine Rice and Silk Cooperative",
        TradingOrganisationKind.producer_cooperative,
        "TH",
        "Surin",
        "THB",
    ),
    Seller(
        "java",
        "Java Cocoa and Spice Farmers",
        TradingOrganisationKind.producer_cooperative,
        "ID",
        "Central Java",
        "IDR",
    ),
]
BUYERS = [
    ("greenleaf", "Green Leaf Fair Trade Imports", TradingOrganisationKind.importer, "DE"),
    ("tokyo", "Tokyo Fair Shop", TradingOrganisationKind.shop, "JP"),
    ("lionpantry", "Lion City Good Pantry", TradingOrganisationKind.shop, "SG"),
]

WFTO, FAIRTRADE, ORGANIC, PGS = "WFTO Guaranteed Fair Trade", "Fairtrade", "Organic", "PGS"
# seller, name, description, category, unit, pack, hs, price, minimum, premium, producer share, certificates
PRODUCTS: list[tuple[str, str, str, ProductCategory, Unit, str, str, str, str, str, str, tuple[str, ...]]] = [
    (
        "daklak",
        "Robusta green coffee beans",
        "Washed robusta from smallholder farms on the Buon Ma Thuot plateau.",
        ProductCategory.coffee,
        Unit.kg,
        "60",
        "090111",
        "82000",
        "75000",
        "5000",
        "61000",
        (FAIRTRADE, ORGANIC),
    ),
    (
        "daklak",
        "Arabica roasted coffee, medium roast",
        "Catimor arabica grown under shade trees, roasted in Dak Lak.",
        ProductCategory.coffee,
        Unit.kg,
        "0.5",
        "090121",
        "420000",
        "380000",
        "20000",
        "250000",
        (FAIRTRADE,),
    ),
    (
        "daklak",
        "Robusta honey-processed coffee",
        "Honey-processed robusta with notes of dark chocolate.",
        ProductCategory.coffee,
        Unit.kg,
        "1",
        "090111",
        "150000",
        "120000",
        "8000",
        "100000",
        (),
    ),
    (
        "daklak",
        "Black pepper from Chu Se",
        "Sun-dried black pepper from the Gia Lai highlands.",
        ProductCategory.spices,
        Unit.kg,
        "1",
        "090411",
        "190000",
        "160000",
        "10000",
        "120000",
        (ORGANIC,),
    ),
    (
        "bohol",
        "Organic coconut sugar",
        "Coconut nectar evaporated over wood fire, unrefined and granulated.",
        ProductCategory.sugar,
        Unit.kg,
        "1",
        "170290",
        "310.00",
        "280.00",
        "15.00",
        "190.00",
        (WFTO, ORGANIC),
    ),
    (
        "bohol",
        "Coconut nectar syrup",
        "Raw coconut sap syrup, low glycaemic sweetener.",
        ProductCategory.sugar,
        Unit.litre,
        "0.25",
        "170290",
        "520.00",
        "450.00",
        "25.00",
        "300.00",
        (WFTO,),
    ),
    (
        "bohol",
        "Virgin coconut oil",
        "Cold-pressed from fresh coconut meat by women's groups in Bohol.",
        ProductCategory.other,
        Unit.litre,
        "0.5",
        "151311",
        "640.00",
        "600.00",
        "30.00",
        "380.00",
        (),
    ),
    (
        "bohol",
        "Dried mango slices",
        "Carabao mango, sliced and dried without added sugar.",
        ProductCategory.fruit,
        Unit.kg,
        "0.2",
        "081340",
        "1450.00",
        "1300.00",
        "60.00",
        "800.00",
        (FAIRTRADE,),
    ),
    (
        "kampot",
        "Kampot black pepper",
        "Protected geographical indication pepper from Kampot's limestone hills.",
        ProductCategory.spices,
        Unit.kg,
        "0.1",
        "090411",
        "180000.00",
        "160000.00",
        "8000.00",
        "120000.00",
        (WFTO, ORGANIC),
    ),
    (
        "kampot",
        "Kampot red pepper",
        "Fully ripened peppercorns, sweet and fruity.",
        ProductCategory.spices,
        Unit.kg,
        "0.1",
        "090411",
        "260000.00",
        "230000.00",
        "12000.00",
        "170000.00",
        (WFTO,),
    ),
    (
        "kampot",
        "Fleur de sel from Kep",
        "Hand-harvested sea salt from the Kep salt fields.",
        ProductCategory.spices,
        Unit.kg,
        "0.2",
        "250100",
        "40000.00",
        "36000.00",
        "2000.00",
        "25000.00",
        (),
    ),
    (
        "bolaven",
        "Bolaven arabica green coffee",
        "High-altitude arabica from volcanic soil on the Bolaven Plateau.",
        ProductCategory.coffee,
        Unit.kg,
        "60",
        "090111",
        "140000.00",
        "125000.00",
        "9000.00",
        "100000.00",
        (FAIRTRADE, ORGANIC),
    ),
    (
        "bolaven",
        "Bolaven robusta roasted beans",
        "Dark-roasted robusta for espresso blends.",
        ProductCategory.coffee,
        Unit.kg,
        "1",
        "090121",
        "210000.00",
        "190000.00",
        "10000.00",
        "140000.00",
        (),
    ),
    (
        "bolaven",
        "Wild cardamom",
        "Forest-gathered cardamom pods from the plateau's edges.",
        ProductCategory.spices,
        Unit.kg,
        "0.1",
        "090831",
        "320000.00",
        "300000.00",
        "15000.00",
        "240000.00",
        (PGS,),
    ),
    (
        "shan",
        "Shan green tea",
        "Hand-rolled green tea from old tea gardens around Namhsan.",
        ProductCategory.tea,
        Unit.kg,
        "0.1",
        "090210",
        "18000.00",
        "16000.00",
        "900.00",
        "12000.00",
        (ORGANIC,),
    ),
    (
        "shan",
        "Laphet fermented tea leaves",
        "Pickled tea leaves for the Burmese tea-leaf salad.",
        ProductCategory.tea,
        Unit.kg,
        "0.2",
        "090240",
        "9000.00",
        "8000.00",
        "450.00",
        "6000.00",
        (),
    ),
    (
        "shan",
        "Shan black tea",
        "Orthodox black tea, withered and rolled by hand.",
        ProductCategory.tea,
        Unit.kg,
        "0.1",
        "090230",
        "16000.00",
        "15000.00",
        "800.00",
        "11000.00",
        (FAIRTRADE,),
    ),
    (
        "sabah",
        "Rattan market basket",
        "Woven by Rungus artisans from sustainably harvested rattan.",
        ProductCategory.handicrafts,
        Unit.piece,
        "1",
        "460212",
        "120.00",
        "100.00",
        "6.00",
        "80.00",
        (WFTO,),
    ),
    (
        "sabah",
        "Pandan leaf mat",
        "Hand-woven pandan mat, natural dyes.",
        ProductCategory.handicrafts,
        Unit.piece,
        "1",
        "460129",
        "180.00",
        "150.00",
        "9.00",
        "120.00",
        (WFTO,),
    ),
    (
        "sabah",
        "Sabah hill rice",
        "Heirloom upland rice grown by Kadazan-Dusun farmers.",
        ProductCategory.rice,
        Unit.kg,
        "2",
        "100630",
        "28.00",
        "24.00",
        "1.50",
        "18.00",
        (),
    ),
    (
        "surin",
        "Hom Mali jasmine rice",
        "Thai Hom Mali rice from the Thung Kula Rong Hai plains, new crop.",
        ProductCategory.rice,
        Unit.kg,
        "5",
        "100630",
        "95.00",
        "85.00",
        "4.00",
        "60.00",
        (FAIRTRADE, ORGANIC),
    ),
    (
        "surin",
        "Riceberry rice",
        "Deep-purple wholegrain rice, rich in antioxidants.",
        ProductCategory.rice,
        Unit.kg,
        "1",
        "100630",
        "110.00",
        "100.00",
        "5.00",
        "70.00",
        (ORGANIC,),
    ),
    (
        "surin",
        "Surin silk scarf",
        "Hand-woven mudmee silk, dyed with lac and indigo.",
        ProductCategory.textiles,
        Unit.piece,
        "1",
        "621410",
        "1200.00",
        "1000.00",
        "60.00",
        "800.00",
        (WFTO,),
    ),
    (
        "surin",
        "Cotton table runner",
        "Hand-spun cotton, woven on village looms.",
        ProductCategory.textiles,
        Unit.piece,
        "1",
        "630291",
        "450.00",
        "400.00",
        "20.00",
        "300.00",
        (),
    ),
    (
        "java",
        "Java cocoa beans",
        "Fermented and sun-dried cocoa beans from Central Java smallholders.",
        ProductCategory.cocoa,
        Unit.kg,
        "60",
        "180100",
        "72000",
        "65000",
        "4000",
        "52000",
        (FAIRTRADE,),
    ),
    (
        "java",
        "Java cinnamon quills",
        "Cassia cinnamon bark, rolled into quills by hand.",
        ProductCategory.spices,
        Unit.kg,
        "0.25",
        "090611",
        "160000",
        "140000",
        "8000",
        "110000",
        (ORGANIC,),
    ),
    (
        "java",
        "Palm sugar blocks",
        "Aren palm sugar cooked in copper pans.",
        ProductCategory.sugar,
        Unit.kg,
        "0.5",
        "170290",
        "55000",
        "50000",
        "2500",
        "38000",
        (PGS,),
    ),
    (
        "java",
        "Java vanilla pods",
        "Planifolia vanilla, cured for four months.",
        ProductCategory.spices,
        Unit.piece,
        "10",
        "090510",
        "95000",
        "90000",
        "4000",
        "70000",
        (WFTO,),
    ),
    (
        "java",
        "Toraja arabica coffee",
        "Arabica from South Sulawesi highlands, wet-hulled.",
        ProductCategory.coffee,
        Unit.kg,
        "1",
        "090111",
        "240000",
        "210000",
        "12000",
        "170000",
        (),
    ),
    (
        "java",
        "Batik cotton sarong",
        "Hand-drawn batik tulis from Central Java.",
        ProductCategory.textiles,
        Unit.piece,
        "1",
        "520852",
        "650000",
        "600000",
        "30000",
        "450000",
        (WFTO,),
    ),
]


async def load(session: AsyncSession, admin: Principal, owners: dict[str, Principal]) -> dict[str, TradingOrganisation]:
    """Sellers, buyers, products and rates; returns the organisations by key for the trade demo."""
    today = datetime.now(UTC).date()
    await _rates(session, admin, today)
    organisations: dict[str, TradingOrganisation] = {}
    for seller in SELLERS:
        organisations[seller.key] = await catalogue.create_organisation(
            session,
            owners[seller.key],
            TradingOrganisationCreate(
                name=seller.name,
                kind=seller.kind,
                country=seller.country,
                region=seller.region,
                declarations=ALL_DECLARED,
            ),
        )
    for key, name, kind, country in BUYERS:
        organisations[key] = await catalogue.create_organisation(
            session,
            owners[key],
            TradingOrganisationCreate(name=name, kind=kind, country=country, declarations=ALL_DECLARED),
        )
    sellers = {seller.key: seller for seller in SELLERS}
    offered: dict[str, list[UUID]] = {}
    for number, row in enumerate(PRODUCTS):
        key, name, description, category, unit, pack, hs, price, minimum, premium, share, schemes = row
        seller = sellers[key]
        product = await catalogue.offer_product(
            session,
            owners[key],
            ProductCreate(
                seller_id=organisations[key].id,
                name=name,
                description=description,
                category=category,
                origin_country=seller.country,
                origin_region=seller.region,
                unit=unit,
                pack_size=pack,
                hs_code=hs,
                minimum_order_quantity=pack,
                lead_time_days=14 + number % 4 * 7,
                currency=seller.currency,
                price=price,
                minimum_price=minimum,
                premium=premium,
                producer_share=share,
                ahtn_code=f"{hs}00",
                form_d_criterion="WO",
                certifications=[_certificate(scheme, seller, number, today) for scheme in schemes],
            ),
        )
        offered.setdefault(key, []).append(product.id)
    await _orders_in_every_state(session, owners, organisations, offered)
    return organisations


# (buyer, seller, terms, currency, states walked through after `requested`)
ORDERS: list[tuple[str, str, TradeTerms, str, tuple[str, ...]]] = [
    ("greenleaf", "daklak", TradeTerms.fairtrade, "EUR", ()),
    ("tokyo", "shan", TradeTerms.wfto, "JPY", ("confirm",)),
    ("greenleaf", "bolaven", TradeTerms.wfto, "EUR", ("confirm", "request-prefinance")),
    ("tokyo", "kampot", TradeTerms.fairtrade, "JPY", ("confirm", "request-prefinance", "prefinance")),
    ("lionpantry", "surin", TradeTerms.wfto, "SGD", ("confirm", "request-prefinance", "prefinance", "ship")),
    ("greenleaf", "java", TradeTerms.fairtrade, "EUR", ("confirm", "ship", "deliver")),
    (
        "lionpantry",
        "bohol",
        TradeTerms.wfto,
        "SGD",
        ("confirm", "request-prefinance", "prefinance", "ship", "deliver", "settle"),
    ),
    ("tokyo", "sabah", TradeTerms.wfto, "JPY", ("confirm", "cancel")),
]


async def _orders_in_every_state(
    session: AsyncSession, owners: dict[str, Principal], organisations: dict[str, Any], offered: dict[str, list[UUID]]
) -> None:
    """One trade order in every state, each walked there through the same steps a client takes."""
    for buyer, seller, terms, currency, steps in ORDERS:
        order = await trade.place_order(
            session,
            owners[buyer],
            TradeOrderCreate(
                buyer_id=organisations[buyer].id,
                seller_id=organisations[seller].id,
                terms=terms,
                currency=currency,
                lines=[
                    TradeOrderLineCreate(product_id=product_id, quantity="100") for product_id in offered[seller][:2]
                ],
            ),
        )
        for step in steps:
            order = await _step(session, owners[buyer], owners[seller], order, step)


async def _step(
    session: AsyncSession, buyer: Principal, seller: Principal, order: TradeOrderRead, step: str
) -> TradeOrderRead:
    if step == "confirm":
        return await trade.confirm(session, seller, order_id=order.id, confirmation=TradeOrderConfirmation())
    if step == "request-prefinance":
        percent = 60 if order.terms == TradeTerms.fairtrade else 50
        return await trade.request_prefinance(session, seller, order_id=order.id, percent=percent, note=None)
    if step == "prefinance":
        assert order.prefinance is not None
        payment = PrefinancePaymentCreate(amount=order.prefinance.requested, currency=order.currency, method="swift")
        return await trade_payments.pay_prefinance(session, buyer, order_id=order.id, payment=payment)
    if step == "ship":
        return await trade.ship(session, seller, order_id=order.id, note="Sea freight from the nearest port.")
    if step == "deliver":
        return await trade.deliver(session, buyer, order_id=order.id, note=None)
    if step == "settle":
        return await trade_payments.settle(
            session, buyer, order_id=order.id, payment=SettlementPaymentCreate(method="swift")
        )
    return await trade_payments.cancel(
        session, buyer, order_id=order.id, note="Out of season.", idempotency_key_sent=False
    )


def _certificate(scheme: str, seller: Seller, number: int, today: date) -> ProductCertificationCreate:
    # Every seventh certificate has lapsed, so the catalogue shows some expired ones.
    expires_on = today - timedelta(days=30) if number % 7 == 3 else today + timedelta(days=400 + number * 11)
    return ProductCertificationCreate(
        scheme=scheme,
        issuer=f"{scheme} certification body",
        number=f"{seller.country}-{seller.key.upper()}-{number:03}",
        expires_on=expires_on,
    )


async def _rates(session: AsyncSession, admin: Principal, today: date) -> None:
    """Each ASEAN currency to USD, EUR and JPY, and to each other, derived from one day's dollar rates."""
    pairs = [(base, quote) for base in ASEAN_CURRENCIES for quote in ("USD", "EUR", "JPY")]
    pairs += list(combinations(ASEAN_CURRENCIES, 2))
    for base, quote in pairs:
        rate = _per_unit(quote) / _per_unit(base)
        await catalogue.record_exchange_rate(
            session,
            admin,
            ExchangeRateCreate(
                base=base,
                quote=quote,
                rate=_rate_text(rate),
                source="Demo reference rates",
                as_of=today - timedelta(days=1),
            ),
        )


def _per_unit(currency: str) -> Decimal:
    return Decimal(1) if currency == "USD" else Decimal(PER_US_DOLLAR[currency])


def _rate_text(rate: Decimal) -> str:
    """Twelve decimals at most, as the API takes them, written without an exponent."""
    rounded = rate.quantize(Decimal("1e-12")).normalize()
    return f"{rounded:f}"
