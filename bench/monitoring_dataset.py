"""A realistic dataset for the monitoring benchmark: households in consumer groups across the eleven ASEAN
members, producer groups, three seasons of plans, agreements, subscriptions, payments and harvests, networks
that enrol some of the groups, pledges to the registry and a training calendar. Written through asyncpg COPY,
group by group; deterministic (the same `--households` and `--seed` give the same rows).

    createdb -h 127.0.0.1 -U postgres teikei_scale
    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/teikei_scale .venv/bin/alembic upgrade head
    .venv/bin/python bench/monitoring_dataset.py --database-url postgresql://postgres@127.0.0.1:5432/teikei_scale

Defaults to 1,000,000 households (about 7,000 consumer groups, 1,500 producer groups); `--households 2000`
makes a demo-sized copy of the same shape. The database must be migrated and hold no rows of these tables
(`--reset` empties them first). Foreign keys are not checked row by row while loading
(`session_replication_role = replica`, as pg_restore does): the generator makes every reference point at a
row it writes. CHECK constraints and unique indexes are enforced as always."""

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/monitoring_dataset.py`

import asyncpg  # type: ignore[import-untyped]  # noqa: E402
from tqdm import tqdm  # type: ignore[import-untyped]  # noqa: E402

from app.indicators.service import ASEAN_MEMBERS  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/teikei_scale"
DEFAULT_HOUSEHOLDS = 1_000_000
HOUSEHOLDS_PER_GROUP = 143  # about 7,000 groups for a million households; a group has at most 150
PRODUCER_GROUPS_PER_MILLION = 1_500
FARMING_HOUSEHOLDS = 10  # per producer group; the first two farmers' users coordinate it
CONSUMER_COORDINATORS = 3  # the users of a group's first three households; any two make its quorum
PLEDGE_SHARE = 0.3
DELIVERIES = 4  # harvests per agreement and season
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
ADMIN_ID = uuid.UUID(int=1)
CONSENT_TEXT_VERSION = "2026-01"

# Households by country, roughly as the members' populations and their CSA movements.
COUNTRY_WEIGHTS = {
    "ID": 24, "PH": 15, "VN": 14, "TH": 13, "MM": 8, "MY": 7, "KH": 5, "LA": 4, "SG": 4, "TL": 3, "BN": 3,
}  # fmt: skip
CURRENCIES = {
    "BN": "BND", "KH": "KHR", "ID": "IDR", "LA": "LAK", "MY": "MYR", "MM": "MMK", "PH": "PHP", "SG": "SGD",
    "TH": "THB", "VN": "VND", "TL": "USD",
}  # fmt: skip
# A share's price for a season, in minor units of the country's currency.
SHARE_PRICES = {
    "BND": 30_000, "KHR": 90_000_000, "IDR": 350_000_000, "LAK": 48_000_000, "MYR": 95_000, "MMK": 4_500_000,
    "PHP": 1_200_000, "SGD": 30_000, "THB": 750_000, "VND": 5_500_000, "USD": 22_000,
}  # fmt: skip
# (crop, variety, unit, base quantity a share takes over a season: grams for kg, pieces, bunches)
CROPS = [
    ("rice", "jasmine", "kg", 24_000), ("vegetables", "mixed", "kg", 18_000), ("eggs", None, "dozen", 12),
    ("mango", "nam dok mai", "kg", 6_000), ("morning glory", None, "bunch", 20), ("coffee", "robusta", "kg", 1_500),
    ("banana", "namwa", "kg", 8_000), ("chili", None, "kg", 800), ("tea", "oolong", "kg", 500),
]  # fmt: skip
SURPLUS_USES = ["stored", "sold", "given"]


@dataclass(frozen=True)
class SeasonSpec:
    number: int
    name: str
    starts_on: date
    ends_on: date

    @property
    def advance_due_on(self) -> date:
        return self.starts_on - timedelta(days=14)

    def delivery(self, number: int) -> date:
        """The day of one of the season's deliveries, spread evenly through it."""
        span = (self.ends_on - self.starts_on).days
        return self.starts_on + timedelta(days=span * (number + 1) // (DELIVERIES + 1))


SEASONS = [SeasonSpec(number, "Main season", date(year, 3, 1), date(year, 11, 30)) for number, year in
           enumerate((2024, 2025, 2026))]  # fmt: skip
CURRENT = SEASONS[-1]


def ident(tag: int, number: int) -> uuid.UUID:
    """A deterministic id: the table's tag in the high bits, the row's number in the low ones."""
    return uuid.UUID(int=(tag << 64) | number)


# Tags of the ids, one per kind of row.
USER, HOUSEHOLD, CONSUMER, PRODUCER, STATION, MEMBERSHIP, COORDINATOR = 1, 2, 3, 4, 5, 6, 7
FARMING, PRODUCER_COORDINATOR, PLAN, PLAN_ITEM, AGREEMENT, VERSION, VERSION_ITEM = 8, 9, 10, 11, 12, 13, 14
SUBSCRIPTION, ACCOUNT, TRANSACTION, ENTRY, HARVEST, LINE, ALLOCATION, SURPLUS = 15, 16, 17, 18, 19, 20, 21, 22
PLEDGE, NETWORK, NETWORK_MEMBER, PROGRAMME, ENROLMENT, EVENT, SIGNUP, GROUP_ACCOUNT = 23, 24, 25, 26, 27, 28, 29, 30
GROUP_TRANSACTION, GROUP_ENTRY = 31, 32

COLUMNS: dict[str, tuple[str, ...]] = {
    "user_account": ("id", "email", "display_name", "password_hash", "created_at", "is_admin"),
    "household": ("id", "name", "created_at"),
    "household_member": ("household_id", "user_id", "created_at"),
    "consumer_group": ("id", "name", "legal_form", "country", "region", "status", "member_count", "approval_quorum",
                       "created_at", "updated_at", "admission"),
    "group_membership": ("id", "group_id", "household_id", "created_at"),
    "group_coordinator": ("id", "group_id", "user_id", "appointed_by", "appointed_at"),
    "pickup_station": ("id", "group_id", "name", "address", "latitude", "longitude", "created_at"),
    "producer_group": ("id", "name", "legal_form", "country", "region", "member_count", "created_at",
                       "approval_quorum"),
    "producer_membership": ("id", "producer_group_id", "household_id", "created_at"),
    "producer_coordinator": ("id", "producer_group_id", "user_id", "appointed_by", "appointed_at"),
    "production_plan": ("id", "producer_group_id", "country", "season_name", "season_starts_on", "season_ends_on",
                        "currency", "status", "created_at", "published_at", "closed_at"),
    "plan_item": ("id", "plan_id", "position", "crop", "variety", "unit", "max_quantity_base", "committed_base",
                  "harvest_from", "harvest_to"),
    "agreement": ("id", "production_plan_id", "consumer_group_id", "producer_group_id", "currency", "status",
                  "current_version", "agreed_version", "shares", "subscribed_shares", "total_price_minor",
                  "advance_due_on", "renewed_from_id", "created_at", "agreed_at", "activated_at", "ended_at"),
    "agreement_version": ("id", "agreement_id", "number", "proposed_by_side", "proposed_by_user_id", "is_amendment",
                          "status", "shares", "advance_due_on", "distribution_mode", "total_price_minor",
                          "created_at", "accepted_at", "accepted_by_user_id"),
    "agreement_version_item": ("id", "version_id", "plan_item_id", "position", "quantity_base", "unit_price_minor",
                               "line_total_minor"),
    "subscription": ("id", "agreement_id", "household_id", "shares", "first_share", "amount_due_minor",
                     "created_at"),
    "ledger_account": ("id", "agreement_id", "kind", "owner_id", "currency", "created_at"),
    "ledger_transaction": ("id", "agreement_id", "kind", "method", "recorded_by_user_id", "created_at"),
    "ledger_entry": ("id", "transaction_id", "account_id", "position", "amount_minor", "currency", "created_at"),
    "harvest": ("id", "agreement_id", "delivered_on", "pickup_station_id", "carried_by_user_id",
                "recorded_by_user_id", "created_at"),
    "harvest_line": ("id", "harvest_id", "plan_item_id", "position", "quantity_base"),
    "allocation": ("id", "harvest_line_id", "share_holder_id", "household_id", "quantity_base"),
    "surplus": ("id", "harvest_line_id", "quantity_base", "use", "decided_by_user_id", "decided_at"),
    "pledge": ("id", "household_id", "country", "consent_text_version", "pledged_by", "pledged_at"),
    "pledge_count": ("country", "pledges"),
    "network": ("id", "kind", "name", "country", "description", "created_by", "created_at"),
    "network_member": ("id", "network_id", "user_id", "role", "added_by", "created_at", "updated_at"),
    "monitoring_programme": ("id", "network_id", "name", "description", "starts_on", "created_by", "created_at"),
    "enrolment": ("id", "programme_id", "network_id", "cbe_kind", "cbe_id", "status", "proposed_by", "proposed_at",
                  "enrolled_at"),
    "enrolment_consent": ("enrolment_id", "user_id", "consented_at"),
    "learning_event": ("id", "title", "description", "starts_at", "ends_at", "online", "location", "country",
                       "language", "capacity", "signup_count", "network_id", "created_by", "created_at"),
    "learning_signup": ("id", "learning_event_id", "user_id", "household_id", "attended", "attendance_recorded_by",
                        "attendance_recorded_at", "created_at"),
}  # fmt: skip
# Emptied by --reset, children first.
TABLES = list(COLUMNS)


# The shape of the dataset, computed once: groups, their sizes and countries, who trades with whom


@dataclass
class Shape:
    households: int
    seed: int
    group_country: list[str] = field(default_factory=list)
    group_start: list[int] = field(default_factory=list)  # the group's first household; the next group's ends it
    producer_country: list[str] = field(default_factory=list)
    producers_in: dict[str, list[int]] = field(default_factory=dict)
    groups_in: dict[str, list[int]] = field(default_factory=dict)

    @property
    def groups(self) -> int:
        return len(self.group_country)

    @property
    def producers(self) -> int:
        return len(self.producer_country)

    def members(self, group: int) -> range:
        return range(self.group_start[group], self.group_start[group + 1])

    def producer_of(self, group: int, season: int) -> int:
        """The producer group a consumer group partners in a season: one of its country's, changing now and then."""
        nearby = self.producers_in[self.group_country[group]]
        return nearby[(group + season // 2) % len(nearby)]

    def fate(self, group: int, season: int) -> str:
        """How the season's agreement ended: past seasons mostly completed, a few lapsed or cancelled."""
        if season == CURRENT.number:
            return "active"
        draw = random.Random(self.seed * 7_919 + group * 13 + season).random()  # noqa: S311 - synthetic data
        return "lapsed" if draw < 0.03 else "cancelled" if draw < 0.04 else "completed"

    def subscribed(self, group: int, season: int) -> int:
        """The shares households took: most of the group's, a few left to the group itself."""
        size = len(self.members(group))
        draw = random.Random(self.seed * 104_729 + group * 7 + season)  # noqa: S311 - synthetic data
        return size - draw.randrange(0, max(1, size // 12))


def shape_of(households: int, seed: int) -> Shape:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    groups = max(len(ASEAN_MEMBERS), -(-households // HOUSEHOLDS_PER_GROUP))
    producers = max(len(ASEAN_MEMBERS), round(PRODUCER_GROUPS_PER_MILLION * households / 1_000_000))
    countries, weights = zip(*COUNTRY_WEIGHTS.items(), strict=True)
    # Every member has groups of both kinds; the rest follow the weights.
    shape = Shape(households, seed)
    shape.group_country = [*ASEAN_MEMBERS, *rng.choices(countries, weights, k=groups - len(ASEAN_MEMBERS))]
    shape.group_start = [number * households // groups for number in range(groups + 1)]
    shape.producer_country = [*ASEAN_MEMBERS, *rng.choices(countries, weights, k=producers - len(ASEAN_MEMBERS))]
    for number, country in enumerate(shape.producer_country):
        shape.producers_in.setdefault(country, []).append(number)
    for number, country in enumerate(shape.group_country):
        shape.groups_in.setdefault(country, []).append(number)
    return shape


def plan_crops(producer: int) -> list[int]:
    return [(producer + offset) % len(CROPS) for offset in (0, 3, 5)]


def household_user(household: int) -> uuid.UUID:
    return ident(USER, household)


def farmer_household(shape: Shape, producer: int, number: int) -> int:
    """Farming households are numbered after the consumer groups' households."""
    return shape.households + producer * FARMING_HOUSEHOLDS + number


def producer_coordinators(shape: Shape, producer: int) -> list[uuid.UUID]:
    return [household_user(farmer_household(shape, producer, number)) for number in range(2)]


def consumer_coordinators(shape: Shape, group: int) -> list[uuid.UUID]:
    return [household_user(household) for household in shape.members(group)[:CONSUMER_COORDINATORS]]


def agreement_id(group: int, season: int) -> uuid.UUID:
    return ident(AGREEMENT, group * len(SEASONS) + season)


def plan_id(producer: int, season: int) -> uuid.UUID:
    return ident(PLAN, producer * len(SEASONS) + season)


def plan_item_id(producer: int, season: int, position: int) -> uuid.UUID:
    return ident(PLAN_ITEM, (producer * len(SEASONS) + season) * 3 + position)


def moment(day: date, seconds: int = 36_000) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


# Rows


Rows = dict[str, list[tuple[Any, ...]]]


def producer_rows(shape: Shape) -> Rows:
    """Producer groups, their farming households and coordinators, and their plans with the quantities the
    consumer groups' agreements committed."""
    rows: Rows = defaultdict(list)
    committed: Counter[tuple[int, int, int]] = Counter()  # (producer, season, position) -> base quantity
    for group in range(shape.groups):
        for season in SEASONS:
            producer = shape.producer_of(group, season.number)
            for position, crop in enumerate(plan_crops(producer)):
                committed[(producer, season.number, position)] += CROPS[crop][3] * len(shape.members(group))
    created = NOW - timedelta(days=1_200)
    for producer, country in enumerate(shape.producer_country):
        producer_id = ident(PRODUCER, producer)
        rows["producer_group"].append((producer_id, f"Farmers of {country} {producer}", "cooperative", country,
                                       f"Region {producer % 7}", FARMING_HOUSEHOLDS, created, 2))  # fmt: skip
        for number in range(FARMING_HOUSEHOLDS):
            household = farmer_household(shape, producer, number)
            rows["producer_membership"].append((ident(FARMING, household), producer_id, ident(HOUSEHOLD, household),
                                                created))  # fmt: skip
        for number, user_id in enumerate(producer_coordinators(shape, producer)):
            rows["producer_coordinator"].append((ident(PRODUCER_COORDINATOR, producer * 2 + number), producer_id,
                                                 user_id, None, created))  # fmt: skip
        for season in SEASONS:
            current = season is CURRENT
            published = moment(season.starts_on - timedelta(days=90))
            rows["production_plan"].append((plan_id(producer, season.number), producer_id, country, season.name,
                                            season.starts_on, season.ends_on, CURRENCIES[country],
                                            "published" if current else "closed", published, published,
                                            None if current else moment(season.ends_on)))  # fmt: skip
            for position, crop in enumerate(plan_crops(producer)):
                name, variety, unit, _ = CROPS[crop]
                taken = committed[(producer, season.number, position)]
                rows["plan_item"].append((plan_item_id(producer, season.number, position), plan_id(producer,
                                          season.number), position, name, variety, unit, taken + taken // 4 + 1,
                                          taken, season.starts_on, season.ends_on))  # fmt: skip
    return rows


def farmer_rows(shape: Shape) -> Rows:
    rows: Rows = defaultdict(list)
    created = NOW - timedelta(days=1_200)
    for household in range(shape.households, shape.households + shape.producers * FARMING_HOUSEHOLDS):
        _person(rows, household, "farm", created)
    return rows


def _person(rows: Rows, household: int, kind: str, created: datetime) -> None:
    user_id = household_user(household)
    rows["user_account"].append((user_id, f"{kind}{household}@households.example.org", f"Member {household}",
                                 "not-a-hash", created, False))  # fmt: skip
    rows["household"].append((ident(HOUSEHOLD, household), f"Household {household:07d}", created))
    rows["household_member"].append((ident(HOUSEHOLD, household), user_id, created))


def group_rows(shape: Shape, group: int) -> Rows:
    """One consumer group: its households and their users, memberships, coordinators, pickup station, pledges,
    and for each season its agreement with subscriptions, payments and harvests."""
    rows: Rows = defaultdict(list)
    rng = random.Random(shape.seed * 1_000_003 + group)  # noqa: S311 - synthetic data, not secrets
    country = shape.group_country[group]
    group_id = ident(CONSUMER, group)
    members = shape.members(group)
    created = NOW - timedelta(days=1_100 + group % 300)
    rows["consumer_group"].append((group_id, f"Community supported agriculture {country} {group}", "cooperative",
                                   country, f"District {group % 23}", "active", len(members), 2, created, created,
                                   "open"))  # fmt: skip
    rows["pickup_station"].append((ident(STATION, group), group_id, f"Pickup {group}", f"{group} Market Street",
                                   None, None, created))  # fmt: skip
    for household in members:
        _person(rows, household, "member", created)
        rows["group_membership"].append((ident(MEMBERSHIP, household), group_id, ident(HOUSEHOLD, household), created))
        if rng.random() < PLEDGE_SHARE:
            pledged_at = created + timedelta(days=rng.randrange(1, 1_000))
            rows["pledge"].append((ident(PLEDGE, household), ident(HOUSEHOLD, household), country,
                                   CONSENT_TEXT_VERSION, household_user(household), pledged_at))  # fmt: skip
    for number, user_id in enumerate(consumer_coordinators(shape, group)):
        rows["group_coordinator"].append((ident(COORDINATOR, group * CONSUMER_COORDINATORS + number), group_id,
                                          user_id, None, created))  # fmt: skip
    for season in SEASONS:
        _season_rows(rows, shape, group, season, rng)
    return rows


def _season_rows(rows: Rows, shape: Shape, group: int, season: SeasonSpec, rng: random.Random) -> None:
    country = shape.group_country[group]
    currency = CURRENCIES[country]
    members = shape.members(group)
    shares = len(members)
    subscribed = shape.subscribed(group, season.number)
    producer = shape.producer_of(group, season.number)
    fate = shape.fate(group, season.number)
    price = SHARE_PRICES[currency]
    total = price * shares
    number = group * len(SEASONS) + season.number
    this_id = agreement_id(group, season.number)
    renewed_from = None
    if season.number > 0 and shape.fate(group, season.number - 1) == "completed":
        renewed_from = agreement_id(group, season.number - 1)
    due = season.advance_due_on
    proposed = moment(due - timedelta(days=60))
    agreed = proposed + timedelta(days=rng.randrange(1, 20))
    paid = fate in ("completed", "active")
    ended = {"completed": moment(season.ends_on + timedelta(days=1)), "lapsed": moment(due + timedelta(days=1)),
             "cancelled": moment(due + timedelta(days=30)), "active": None}[fate]  # fmt: skip
    consumer_coordinator = consumer_coordinators(shape, group)[0]
    producer_coordinator = producer_coordinators(shape, producer)[0]
    # The group pays the producers on time four times in five, late otherwise, in two transfers now and then.
    draw = rng.random()
    transfers = [(due - timedelta(days=rng.randrange(0, 14)), 1.0)] if draw < 0.8 else (
        [(due + timedelta(days=rng.randrange(1, 21)), 1.0)] if draw < 0.95
        else [(due - timedelta(days=rng.randrange(1, 10)), 0.5), (due + timedelta(days=rng.randrange(1, 10)), 0.5)]
    )  # fmt: skip
    activated = moment(transfers[-1][0]) if paid else None
    rows["agreement"].append((this_id, plan_id(producer, season.number), ident(CONSUMER, group),
                              ident(PRODUCER, producer), currency, fate, 1, 1, shares, subscribed, total, due,
                              renewed_from, proposed, agreed, activated, ended))  # fmt: skip
    version_id = ident(VERSION, number)
    rows["agreement_version"].append((version_id, this_id, 1, "producer", producer_coordinator, False, "accepted",
                                      shares, due, "consumers_collect", total, proposed, agreed,
                                      consumer_coordinator))  # fmt: skip
    crops = plan_crops(producer)
    line_totals = [price // 2, price // 3, price - price // 2 - price // 3]  # a share's price, split by crop
    for position, crop in enumerate(crops):
        per_share = CROPS[crop][3]
        rows["agreement_version_item"].append((ident(VERSION_ITEM, number * 3 + position), version_id,
                                               plan_item_id(producer, season.number, position), position,
                                               per_share * shares, line_totals[position] // max(1, per_share),
                                               line_totals[position] * shares))  # fmt: skip
    subscribers = list(members)[:subscribed]
    for first_share, household in enumerate(subscribers):
        rows["subscription"].append((ident(SUBSCRIPTION, household * len(SEASONS) + season.number), this_id,
                                     ident(HOUSEHOLD, household), 1, first_share, price, agreed))  # fmt: skip
    if paid:
        _payments(rows, this_id, number, group, producer, subscribers, currency, price, total, transfers, rng)
        _harvests(rows, shape, this_id, number, group, producer, season, subscribers, rng)


def _payments(
    rows: Rows,
    this_id: uuid.UUID,
    number: int,
    group: int,
    producer: int,
    subscribers: Sequence[int],
    currency: str,
    price: int,
    total: int,
    transfers: list[tuple[date, float]],
    rng: random.Random,
) -> None:
    """Each household pays its share into the group's fund; the group pays the producers from the fund and,
    for the shares nobody took, from its own money. Every transaction's entries sum to zero."""
    accounts, entries, transactions = rows["ledger_account"], rows["ledger_entry"], rows["ledger_transaction"]
    fund, own, received = (ident(GROUP_ACCOUNT, number * 3 + kind) for kind in range(3))
    opened = moment(transfers[0][0] - timedelta(days=60))
    accounts.append((fund, this_id, "group_fund", ident(CONSUMER, group), currency, opened))
    accounts.append((own, this_id, "group_own", ident(CONSUMER, group), currency, opened))
    accounts.append((received, this_id, "producer_received", ident(PRODUCER, producer), currency, opened))
    for household in subscribers:
        key = household * len(SEASONS) + number % len(SEASONS)
        account = ident(ACCOUNT, key)
        transaction = ident(TRANSACTION, key)
        when = moment(transfers[0][0] - timedelta(days=rng.randrange(1, 40)), rng.randrange(28_800, 72_000))
        accounts.append((account, this_id, "household_paid", ident(HOUSEHOLD, household), currency, opened))
        transactions.append((transaction, this_id, "household_to_group", "bank_transfer", household_user(household),
                             when))  # fmt: skip
        entries.append((ident(ENTRY, key * 2), transaction, account, 0, -price, currency, when))
        entries.append((ident(ENTRY, key * 2 + 1), transaction, fund, 1, price, currency, when))
    from_fund, from_own = price * len(subscribers), total - price * len(subscribers)
    for index, (day, part) in enumerate(transfers):
        last = index == len(transfers) - 1
        fund_part = from_fund - int(from_fund * (1 - part)) if last else int(from_fund * part)
        own_part = from_own - int(from_own * (1 - part)) if last else int(from_own * part)
        key = number * 2 + index
        transaction = ident(GROUP_TRANSACTION, key)
        when = moment(day)
        transactions.append((transaction, this_id, "group_to_producer", "bank_transfer", None, when))
        legs = [(fund, -fund_part), (own, -own_part), (received, fund_part + own_part)]
        for position, (account, amount) in enumerate(leg for leg in legs if leg[1] != 0):
            entries.append((ident(GROUP_ENTRY, key * 3 + position), transaction, account, position, amount, currency,
                            when))  # fmt: skip


def _harvests(
    rows: Rows,
    shape: Shape,
    this_id: uuid.UUID,
    number: int,
    group: int,
    producer: int,
    season: SeasonSpec,
    subscribers: Sequence[int],
    rng: random.Random,
) -> None:
    """The season's deliveries to the group's station; the current season's last one is shared out among the
    households (its pickup list), and some lines leave a surplus."""
    carrier = producer_coordinators(shape, producer)[0]
    coordinator = consumer_coordinators(shape, group)[0]
    shares = len(shape.members(group))
    for delivery in range(DELIVERIES):
        harvest_number = number * DELIVERIES + delivery
        harvest = ident(HARVEST, harvest_number)
        day = season.delivery(delivery)
        rows["harvest"].append((harvest, this_id, day, ident(STATION, group), carrier, carrier, moment(day)))
        for position, crop in enumerate(plan_crops(producer)):
            quantity = max(1, CROPS[crop][3] * shares * rng.randrange(85, 106) // (100 * DELIVERIES))
            line_number = harvest_number * 3 + position
            line = ident(LINE, line_number)
            rows["harvest_line"].append((line, harvest, plan_item_id(producer, season.number, position), position,
                                         quantity))  # fmt: skip
            if season is CURRENT and delivery == DELIVERIES - 1:
                each = quantity // len(subscribers)
                for index, household in enumerate(subscribers):
                    holder = ident(HOUSEHOLD, household)
                    allocation = ident(ALLOCATION, line_number * 160 + index)
                    rows["allocation"].append((allocation, line, holder, holder, each))
            if rng.random() < 0.1:
                rows["surplus"].append((ident(SURPLUS, line_number), line, max(1, quantity // 20),
                                        rng.choice(SURPLUS_USES), coordinator, moment(day, 64_800)))  # fmt: skip


def pledge_counts(pledges: Iterable[tuple[Any, ...]]) -> Counter[str]:
    return Counter(row[2] for row in pledges)


def network_rows(shape: Shape) -> Rows:
    """A CSA network in each member, enrolling three to ten of its groups, and a regional fair-trade network
    enrolling one producer group in each; an analyst in each network, and trainings the networks host."""
    rows: Rows = defaultdict(list)
    rng = random.Random(shape.seed * 31)  # noqa: S311 - synthetic data, not secrets
    created = NOW - timedelta(days=1_000)
    networks: list[tuple[int, str | None]] = [(number, country) for number, country in enumerate(ASEAN_MEMBERS)]
    networks.append((len(ASEAN_MEMBERS), None))
    for number, country in networks:
        network_id, analyst = ident(NETWORK, number), analyst_id(number)
        rows["user_account"].append((analyst, f"analyst{number}@networks.example.org", f"Analyst {number}",
                                     "not-a-hash", created, False))  # fmt: skip
        rows["network"].append((network_id, "csa_network" if country else "fair_trade_network",
                                f"CSA network {country}" if country else "ASEAN fair trade network", country,
                                "Community supported agriculture and fair trade.", ADMIN_ID, created))  # fmt: skip
        rows["network_member"].append((ident(NETWORK_MEMBER, number), network_id, analyst, "analyst", ADMIN_ID,
                                       created, created))  # fmt: skip
        rows["monitoring_programme"].append(
            (ident(PROGRAMME, number), network_id, "Indicators", "The strategy's numbers.", date(2024, 1, 1), analyst,
             created)
        )  # fmt: skip
        if country is None:
            cbes = [("producer_group", shape.producers_in[code][0]) for code in ASEAN_MEMBERS]
        else:
            wanted = rng.randrange(3, 11)
            groups = shape.groups_in[country][: wanted - wanted // 3]
            producers = shape.producers_in[country][: wanted - len(groups)]
            cbes = [("consumer_group", group) for group in groups] + [("producer_group", p) for p in producers]
        for index, (kind, cbe) in enumerate(cbes):
            enrolment = ident(ENROLMENT, number * 100 + index)
            cbe_id = ident(CONSUMER if kind == "consumer_group" else PRODUCER, cbe)
            rows["enrolment"].append((enrolment, ident(PROGRAMME, number), network_id, kind, cbe_id, "enrolled",
                                      analyst, created, created + timedelta(days=3)))  # fmt: skip
            consenting = consumer_coordinators(shape, cbe) if kind == "consumer_group" else (
                producer_coordinators(shape, cbe))  # fmt: skip
            for user_id in consenting[:2]:
                rows["enrolment_consent"].append((enrolment, user_id, created + timedelta(days=3)))
        if country is not None:
            _trainings(rows, shape, number, country, rng)
    return rows


def analyst_id(network: int) -> uuid.UUID:
    return ident(USER, 10**12 + network)


def _trainings(rows: Rows, shape: Shape, network: int, country: str, rng: random.Random) -> None:
    """Four trainings a season hosted by the country's network, each attended by members of its groups."""
    people = [household for group in shape.groups_in[country][:5] for household in shape.members(group)]
    for season in SEASONS:
        for index in range(4):
            number = (network * len(SEASONS) + season.number) * 4 + index
            event = ident(EVENT, number)
            starts = moment(season.starts_on + timedelta(days=30 + index * 50))
            attendees = rng.sample(people, min(len(people), 30))
            rows["learning_event"].append((event, f"Training {number}", "Soil, seeds and shares.", starts,
                                           starts + timedelta(hours=3), False, f"Hall {network}", country, "en",
                                           100, len(attendees), ident(NETWORK, network), analyst_id(network),
                                           starts - timedelta(days=30)))  # fmt: skip
            for position, household in enumerate(attendees):
                attended = rng.random() < 0.8
                rows["learning_signup"].append((ident(SIGNUP, number * 100 + position), event,
                                                household_user(household), ident(HOUSEHOLD, household), attended,
                                                analyst_id(network), starts + timedelta(hours=3),
                                                starts - timedelta(days=10)))  # fmt: skip


# Loading


async def copy(connection: asyncpg.Connection, rows: Rows) -> int:
    written = 0
    for table, records in rows.items():
        if records:
            await connection.copy_records_to_table(table, records=records, columns=COLUMNS[table])
            written += len(records)
    return written


async def load(dsn: str, households: int, *, seed: int, reset: bool, chunk_groups: int, check: bool) -> None:
    started = time.perf_counter()
    shape = shape_of(households, seed)
    print(f"{households:,} households in {shape.groups:,} consumer groups, {shape.producers:,} producer groups, "
          f"{len(SEASONS)} seasons, 11 countries")  # fmt: skip
    connection = await asyncpg.connect(dsn)
    try:
        if reset:
            await connection.execute(f"TRUNCATE {', '.join(TABLES)}, indicator_summary CASCADE")
        # Row-by-row foreign-key triggers off while loading, as pg_restore does; checks and uniques still hold.
        await connection.execute("SET session_replication_role = replica")
        await connection.execute("SET synchronous_commit = off")
        admin = (ADMIN_ID, "bench-admin@example.org", "Benchmark", "not-a-hash", NOW, True)
        await connection.execute(
            "INSERT INTO user_account (id, email, display_name, password_hash, created_at, is_admin) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            *admin,
        )
        written = await copy(connection, farmer_rows(shape))
        written += await copy(connection, producer_rows(shape))
        pledges: Counter[str] = Counter()
        with tqdm(total=households, unit=" households", unit_scale=True, desc="consumer groups") as bar:
            for first in range(0, shape.groups, chunk_groups):
                rows: Rows = defaultdict(list)
                for group in range(first, min(shape.groups, first + chunk_groups)):
                    for table, records in group_rows(shape, group).items():
                        rows[table].extend(records)
                pledges += pledge_counts(rows["pledge"])
                async with connection.transaction():
                    written += await copy(connection, rows)
                bar.update(sum(len(shape.members(g)) for g in range(first, min(shape.groups, first + chunk_groups))))
        written += await copy(connection, network_rows(shape))
        written += await copy(connection, {"pledge_count": sorted(pledges.items())})
        loaded = time.perf_counter() - started
        print(f"loaded {written:,} rows in {loaded:.0f} s ({written / loaded:,.0f} rows/s)")
        await connection.execute("SET session_replication_role = origin")
        vacuum_started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.0f} s")
        size = await connection.fetchval("SELECT pg_database_size(current_database())")
        print(f"total {time.perf_counter() - started:.0f} s; database size {size / 2**30:.2f} GiB ({size:,} bytes)")
        for table, count in await row_counts(connection):
            print(f"  {table:<24} {count:>12,}")
        if check:
            checked = time.perf_counter()
            problems = await verify(connection)
            verdict = "all consistent" if not problems else "; ".join(problems)
            seconds = time.perf_counter() - checked
            print(f"checked foreign keys, ledger balances and pledge counts in {seconds:.0f} s: {verdict}")
            if problems:
                raise SystemExit(1)
    finally:
        await connection.close()


# Every foreign key that has rows, checked with one anti-join each (the load did not check them row by row).
FOREIGN_KEYS = """
SELECT con.conname, con.conrelid::regclass::text, con.confrelid::regclass::text,
       array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),
       array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint con JOIN pg_stat_user_tables t ON t.relid = con.conrelid
WHERE con.contype = 'f' AND t.n_live_tup > 0 ORDER BY 1
"""


async def verify(connection: asyncpg.Connection) -> list[str]:
    """What is wrong with the loaded rows: dangling references, unbalanced transactions, pledge counts that
    differ from the pledges. Empty when all is well."""
    problems = []
    for name, child, parent, columns, referenced in await connection.fetch(FOREIGN_KEYS):
        present = " AND ".join(f"c.{column} IS NOT NULL" for column in columns)
        matches = " AND ".join(f"p.{ref} = c.{column}" for column, ref in zip(columns, referenced, strict=True))
        # The names come from the catalogue, not from input.
        missing = f"NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matches})"  # noqa: S608
        query = f"SELECT count(*) FROM {child} c WHERE {present} AND {missing}"  # noqa: S608
        if dangling := await connection.fetchval(query):
            problems.append(f"{name}: {dangling} rows of {child} point at no {parent}")
    unbalanced = await connection.fetchval(
        "SELECT count(*) FROM (SELECT 1 FROM ledger_entry GROUP BY transaction_id, currency "
        "HAVING sum(amount_minor) <> 0) AS unbalanced"
    )
    if unbalanced:
        problems.append(f"{unbalanced} ledger transactions whose entries do not sum to zero")
    drift = await connection.fetch(
        "SELECT c.country, c.pledges, count(p.id) AS counted FROM pledge_count c LEFT JOIN pledge p "
        "ON p.country = c.country AND p.withdrawn_at IS NULL GROUP BY c.country, c.pledges "
        "HAVING c.pledges <> count(p.id)"
    )
    problems += [f"pledge_count {row['country']}: {row['pledges']} stored, {row['counted']} pledges" for row in drift]
    return problems


async def row_counts(connection: asyncpg.Connection) -> list[tuple[str, int]]:
    """Exact counts (the statistics' estimates lag behind a TRUNCATE and a reload), largest first."""
    counts = [(table, await connection.fetchval(f"SELECT count(*) FROM {table}")) for table in TABLES]  # noqa: S608
    return sorted(counts, key=lambda count: -count[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="a migrated PostgreSQL database")
    parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true", help="empty the tables this writes first")
    parser.add_argument("--check", action="store_true", help="verify references, balances and counts after loading")
    parser.add_argument("--chunk-groups", type=int, default=100, help="consumer groups per COPY transaction")
    arguments = parser.parse_args()
    dsn = arguments.database_url.replace("postgresql+asyncpg://", "postgresql://")
    asyncio.run(load(dsn, arguments.households, seed=arguments.seed, reset=arguments.reset,
                     chunk_groups=arguments.chunk_groups, check=arguments.check))  # fmt: skip


if __name__ == "__main__":
    main()
