"""Latency of the monitoring reads and of the season's hot reads on a dataset made by
bench/monitoring_dataset.py, through the real app: `create_app` served in process over httpx's
ASGITransport (no server, no network), one request at a time, so each figure is one request's time from
routing to the last byte of the answer, the database included. Also times the daily job that refreshes the
indicator summaries (`python -m app.worker refresh-indicators`, a process of its own), which the countries'
roll-ups read.

    .venv/bin/python bench/monitoring.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/teikei_scale

Reads only, but the refresh job writes the summary rows (as it does every day); `--skip-refresh` leaves them."""

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/monitoring.py`

import asyncpg  # type: ignore[import-untyped]  # noqa: E402
import httpx  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.core.security import issue_access_token  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.monitoring_dataset import CURRENT, DELIVERIES  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/teikei_scale"
WARM_UP = 20  # requests of each case before measuring: connections opened, statements prepared
TARGETS_MS = {"CBE indicators": 100.0, "country indicators": 1_000.0, "registry summary": 50.0}


@dataclass(frozen=True)
class Request:
    path: str
    user_id: UUID | None  # signed in as this user; None for a public read


@dataclass(frozen=True)
class Result:
    label: str
    latencies_ms: list[float]

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def line(self) -> str:
        target = TARGETS_MS.get(self.label)
        met = target is not None and self.percentile(0.99) < target
        verdict = "" if target is None else f"   target p99 < {target:g} ms: {'met' if met else 'MISSED'}"
        return (
            f"  {self.label:<24} {len(self.latencies_ms):>5} requests   p50 {self.percentile(0.5):>8.2f} ms"
            f"   p95 {self.percentile(0.95):>8.2f} ms   p99 {self.percentile(0.99):>8.2f} ms{verdict}"
        )


async def cases(dsn: str, sample: int) -> dict[str, list[Request]]:
    """The requests of each case, from the dataset's own rows (a fixed sample: ordered by a hash of the id)."""
    connection = await asyncpg.connect(dsn)
    try:
        enrolled = await connection.fetch(
            "SELECT e.cbe_kind, e.cbe_id, n.country, m.user_id FROM enrolment e JOIN network n ON n.id = e.network_id "
            "JOIN network_member m ON m.network_id = n.id WHERE e.status = 'enrolled' AND n.country IS NOT NULL "
            "ORDER BY e.cbe_kind, e.cbe_id"
        )
        current = await connection.fetch(
            "SELECT a.id, s.id AS station_id, c.user_id, g.country FROM agreement a "
            "JOIN production_plan p ON p.id = a.production_plan_id JOIN consumer_group g ON g.id = a.consumer_group_id "
            "JOIN pickup_station s ON s.group_id = a.consumer_group_id "
            "JOIN group_coordinator c ON c.group_id = a.consumer_group_id AND c.ended_at IS NULL "
            "WHERE a.status = 'active' AND p.season_starts_on = $1 ORDER BY md5(a.id::text) LIMIT $2",
            CURRENT.starts_on,
            sample,
        )
        crops = [row["crop"] for row in await connection.fetch("SELECT DISTINCT crop FROM plan_item ORDER BY 1")]
        grown = await connection.fetch(
            "SELECT DISTINCT p.country, i.crop FROM production_plan p JOIN plan_item i ON i.plan_id = p.id "
            "WHERE p.status = 'published' ORDER BY 1, 2"
        )
    finally:
        await connection.close()
    analysts = {row["country"]: row["user_id"] for row in enrolled}
    pickup_day = CURRENT.delivery(DELIVERIES - 1)
    anyone = current[0]["user_id"]
    return {
        "CBE indicators": [
            Request(f"/v1/indicators/cbes/{row['cbe_kind']}/{row['cbe_id']}", row["user_id"]) for row in enrolled
        ],
        "country indicators": [
            Request(f"/v1/countries/{country}/indicators?season={CURRENT.starts_on.year}", user_id)
            for country, user_id in sorted(analysts.items())
        ],
        "registry summary": [Request("/v1/registry/summary", None)],
        "monitored per country": [Request("/v1/indicators/countries", None)],
        "pickup list": [
            Request(f"/v1/pickup-stations/{row['station_id']}/pickup-lists?date={pickup_day}", row["user_id"])
            for row in current
        ],
        "agreement": [Request(f"/v1/agreements/{row['id']}", row["user_id"]) for row in current],
        "plan browsing": [
            Request(f"/v1/production-plans?country={row['country']}&crop={crops[number % len(crops)]}", anyone)
            for number, row in enumerate(current)
        ],
        # A demo-sized country has one published plan, so most searches above find nothing there: a page of
        # one plan of a crop the country grows is the same work at both sizes.
        "plan browsing, 1 found": [
            Request(f"/v1/production-plans?country={row['country']}&crop={row['crop']}&limit=1", anyone)
            for row in grown
        ],
    }


async def measure(database_url: str, requests_per_case: int, sample: int) -> list[Result]:
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    # One client sends every request: the per-caller limits would answer 429 to it, not measure anything.
    settings = Settings(database_url=database_url, log_level="WARNING", log_json=True, rate_limits_enabled=False)
    secret = settings.jwt_secret.get_secret_value()
    tokens: dict[UUID, str] = {}

    def headers(user_id: UUID | None) -> dict[str, str]:
        if user_id is None:
            return {"Accept": "application/json"}
        if user_id not in tokens:
            tokens[user_id] = issue_access_token(user_id, secret=secret, lifetime=timedelta(hours=2))
        return {"Accept": "application/json", "Authorization": f"Bearer {tokens[user_id]}"}

    app = create_app(settings)
    results = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):
        for label, requests in (await cases(dsn, sample)).items():
            latencies = []
            for number in range(WARM_UP + requests_per_case):
                request = requests[number % len(requests)]
                started = time.perf_counter()
                response = await client.get(request.path, headers=headers(request.user_id))
                elapsed = (time.perf_counter() - started) * 1_000
                if response.status_code != 200:
                    raise RuntimeError(f"{request.path}: {response.status_code} {response.text[:500]}")
                if number >= WARM_UP:
                    latencies.append(elapsed)
            results.append(Result(label, latencies))
            print(results[-1].line(), flush=True)
    return results


def refresh(database_url: str) -> float:
    """The daily summary job, run as cron runs it; its time in seconds."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "app.worker", "refresh-indicators"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    print(f"  refresh-indicators job: {seconds:.2f} s   {completed.stdout.strip().splitlines()[-1:]}")
    return seconds


async def sizes(database_url: str) -> Sequence[tuple[str, int]]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        counts = [
            (table, await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names
            for table in ("household", "consumer_group", "producer_group", "subscription", "ledger_entry", "pledge")
        ]
        return [*counts, ("database bytes", await connection.fetchval("SELECT pg_database_size(current_database())"))]
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", action="append", help="one or more datasets, measured in turn")
    parser.add_argument("--requests", type=int, default=500, help="measured requests per case")
    parser.add_argument("--sample", type=int, default=200, help="agreements, stations and plans sampled")
    parser.add_argument("--skip-refresh", action="store_true")
    arguments = parser.parse_args()
    for database_url in arguments.database_url or [DEFAULT_DATABASE_URL]:
        counts = ", ".join(f"{name} {value:,}" for name, value in asyncio.run(sizes(database_url)))
        print(f"\n{database_url.rsplit('/', 1)[-1]}: {counts}")
        if not arguments.skip_refresh:
            refresh(database_url)
        asyncio.run(measure(database_url, arguments.requests, arguments.sample))


if __name__ == "__main__":
    main()
