"""Benchmark of a bank statement upload on PostgreSQL: a consumer group of 150 households with an active
agreement, a camt.053 statement of 2,000 lines (reference payments, payers named without a reference,
amounts alone, bank interest and fees), uploaded through the app in-process. Times the upload (reading,
matching, storing), the same file uploaded again (every line a duplicate), and confirming every
reference-matched line of one import in one call.

    .venv/bin/python bench/statement_import.py                      # on postgres@127.0.0.1, a scratch database
    .venv/bin/python bench/statement_import.py --database-url postgresql+asyncpg://...
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/statement_import.py`

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from httpx import ASGITransport, AsyncClient  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from app.accounts.models import User  # noqa: E402
from app.agreements.models import Agreement, AgreementStatus, Subscription  # noqa: E402
from app.collection import references  # noqa: E402
from app.collection.models import PayerKind, PaymentReference  # noqa: E402
from app.core import money, security  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.quantity import Unit  # noqa: E402
from app.groups.models import ConsumerGroup, Coordinator, GroupStatus, Household, HouseholdMember, LegalForm, Membership  # noqa: E402
from app.main import create_app  # noqa: E402
from app.plans.models import PlanItem, PlanStatus, ProductionPlan  # noqa: E402
from app.producers.models import ProducerGroup  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_statements"
HOUSEHOLDS = 150
LINES = 2_000
RUNS = 3
TARGET_SECONDS = 2.0
SHARES_EACH = 2
UNIT_PRICE_MINOR = 4_550  # THB per kg
SYLLABLES = ["som", "chai", "boon", "sri", "suk", "wan", "phon", "thong", "kaew", "rat", "nim", "pra"]


def surnames(count: int) -> list[str]:
    names = [a.title() + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "dee", "jai")]
    return random.Random(7).sample(names, count)  # noqa: S311 - synthetic data, not secrets


async def scratch(database_url: str) -> AsyncEngine:
    """A fresh database of the URL's name, migrated to head. It is dropped first, so only a database named
    for benchmarks or tests is accepted."""
    url = make_url(database_url)
    if not (url.database or "").startswith(("bench", "test")):
        raise SystemExit(f"{url.database!r} is reset by the benchmark: name one starting with bench or test.")
    server = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    await server.dispose()
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:

        def upgrade(sync: object) -> None:
            config = Config(str(ROOT / "alembic.ini"))
            config.attributes["configure_logging"] = False
            config.attributes["connection"] = sync
            command.upgrade(config, "head")

        await connection.run_sync(upgrade)
    return engine


class World:
    def __init__(self, coordinator: User, group: ConsumerGroup, names: list[str], refs: list[str | None]) -> None:
        self.coordinator = coordinator
        self.group = group
        self.names = names
        self.references = refs


async def build(session: AsyncSession) -> World:
    """The group, its 150 households (a member each), an active agreement all of them subscribe to, and
    payment references for four in five of them, inserted in bulk."""
    password_hash = await security.password_hasher().hash("benchmark password")
    names = surnames(HOUSEHOLDS)
    users = [
        User(email=f"{name.lower()}@bench.example", display_name=f"{name} family", password_hash=password_hash)
        for name in names
    ]
    households = [Household(name=name) for name in names]
    group = ConsumerGroup(
        name="Bench Veg Box",
        legal_form=LegalForm.association,
        country="TH",
        region="Chiang Mai",
        member_count=HOUSEHOLDS,
        coordinator_count=1,
        status=GroupStatus.active,
    )
    producers = ProducerGroup(name="Bench Farms", legal_form=LegalForm.cooperative, country="TH", region="Nan")
    session.add_all([*users, *households, group, producers])
    await session.flush()
    session.add_all(HouseholdMember(household_id=h.id, user_id=u.id) for h, u in zip(households, users, strict=True))
    session.add_all(Membership(group_id=group.id, household_id=h.id) for h in households)
    session.add(Coordinator(group_id=group.id, user_id=users[0].id, appointed_by=users[0].id))
    today = datetime.now(UTC).date()
    shares = HOUSEHOLDS * SHARES_EACH
    quantity_base = 3_000_000  # 3,000 kg in grams
    total = quantity_base * UNIT_PRICE_MINOR // 1000
    plan = ProductionPlan(
        producer_group_id=producers.id,
        country=producers.country,
        season_name="Bench season",
        season_starts_on=today - timedelta(days=30),
        season_ends_on=today + timedelta(days=150),
        currency="THB",
        status=PlanStatus.published,
        published_at=datetime.now(UTC),
        items=[
            PlanItem(
                position=0,
                crop="Rice",
                unit=Unit.kg,
                max_quantity_base=quantity_base,
                committed_base=quantity_base,
                harvest_from=today,
                harvest_to=today + timedelta(days=120),
            )
        ],
    )
    session.add(plan)
    await session.flush()
    agreement = Agreement(
        production_plan_id=plan.id,
        consumer_group_id=group.id,
        producer_group_id=producers.id,
        currency="THB",
        status=AgreementStatus.active,
        agreed_version=1,
        shares=shares,
        subscribed_shares=shares,
        total_price_minor=total,
        advance_due_on=today + timedelta(days=30),
        agreed_at=datetime.now(UTC),
        activated_at=datetime.now(UTC),
    )
    session.add(agreement)
    await session.flush()
    session.add_all(
        Subscription(
            agreement_id=agreement.id,
            household_id=h.id,
            shares=SHARES_EACH,
            first_share=index * SHARES_EACH,
            amount_due_minor=total * SHARES_EACH // shares,
        )
        for index, h in enumerate(households)
    )
    refs: list[str | None] = []
    for index, household in enumerate(households):
        reference = references.new_reference() if index % 5 else None
        refs.append(reference)
        if reference:
            session.add(
                PaymentReference(
                    reference=reference,
                    agreement_id=agreement.id,
                    payer_kind=PayerKind.household,
                    payer_id=household.id,
                )
            )
    await session.flush()
    return World(users[0], group, names, refs)


def camt(world: World, run: int) -> bytes:
    """2,000 entries: two in five quote a reference (10.00 THB instalments), three in ten name the payer
    only, one in five is an amount alone, and the rest are the bank's interest and fees."""
    chooser = random.Random(run)  # noqa: S311 - synthetic data, not secrets
    with_reference = [index for index, ref in enumerate(world.references) if ref]
    entries = []
    for number in range(LINES):
        kind = number % 10
        booked = date(2026, 11, 1) + timedelta(days=number % 28)
        if kind < 4:
            index = chooser.choice(with_reference)
            amount, credit, name, note = (
                "10.00",
                True,
                f"{world.names[index]} family",
                f"Rice {world.references[index]}",
            )
        elif kind < 7:
            index = chooser.randrange(HOUSEHOLDS)
            amount, credit, name, note = "25.00", True, world.names[index].upper(), "vegetables"
        elif kind < 9:
            amount, credit, name, note = money.to_text(chooser.randrange(100, 200_000), "THB"), True, "", "transfer"
        else:
            amount, credit, name, note = "35.00", number % 20 == 9, "", "INTEREST" if number % 20 == 9 else "FEE"
        entries.append(
            f'<Ntry><Amt Ccy="THB">{amount}</Amt><CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>"
            f"<AcctSvcrRef>R{run}-{number:05d}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{note}</Ustrd></RmtInf>"
            f"</TxDtls></NtryDtls></Ntry>"
        )
    body = "\n".join(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>BENCH-{run}</MsgId></GrpHdr><Stmt><Id>S{run}</Id>\n{body}\n</Stmt></BkToCstmrStmt></Document>"
    ).encode()


async def timed(client: AsyncClient, method: str, url: str, **options: object) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    response = await client.request(method, url, **options)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:500]}")
    return elapsed, response.json()


async def main(database_url: str) -> None:
    engine = await scratch(database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions.begin() as session:
        world = await build(session)
    settings = Settings(environment="test", database_url=database_url, log_level="WARNING", log_json=False)
    app = create_app(settings, session_factory=sessions)
    token = security.issue_access_token(
        world.coordinator.id, secret=settings.jwt_secret.get_secret_value(), lifetime=timedelta(hours=1)
    )
    headers = {"Authorization": f"Bearer {token}"}
    upload_url = f"/v1/consumer-groups/{world.group.id}/statement-imports"
    load = os.getloadavg()[0]
    print(f"PostgreSQL, {HOUSEHOLDS} households, {LINES} lines per statement (camt.053); load average {load:.1f}")
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://bench") as client:
        await client.get("/readyz")
        uploads = []
        first_import: UUID | None = None
        for run in range(RUNS):
            content = camt(world, run)
            elapsed, body = await timed(
                client, "POST", upload_url, content=content, headers={**headers, "Content-Type": "application/xml"}
            )
            uploads.append(elapsed)
            first_import = first_import or UUID(str(body["id"]))
            counts = {key: body[key] for key in ("credits", "matched", "suggested", "unmatched", "duplicates")}
            print(f"  upload {run + 1}: {elapsed:.3f} s  {len(content) / 1024:.0f} KiB  {counts}")
        again, body = await timed(
            client, "POST", upload_url, content=camt(world, 0), headers={**headers, "Content-Type": "application/xml"}
        )
        print(f"  the first statement again (all duplicates): {again:.3f} s  duplicates={body['duplicates']}")
        confirm_all, body = await timed(
            client,
            "POST",
            f"/v1/statement-imports/{first_import}/confirmations",
            headers={**headers, "Idempotency-Key": str(uuid4())},
        )
        confirmed = len(body["confirmed"])  # type: ignore[arg-type]
        print(
            f"  confirm every matched line of upload 1: {confirm_all:.3f} s for {confirmed} lines "
            f"({confirm_all / max(confirmed, 1) * 1000:.1f} ms a line)"
        )
    median = statistics.median(uploads)
    verdict = "within" if median < TARGET_SECONDS else "OVER"
    print(f"upload median {median:.3f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    asyncio.run(main(parser.parse_args().database_url))
