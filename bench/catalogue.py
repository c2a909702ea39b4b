"""Benchmark of GET /v1/catalogue/products (browse and search) on PostgreSQL and SQLite.

Seeds the catalogue through the drivers, starts the real app with uvicorn on 127.0.0.1 (1, then 2
workers), drives it with concurrent keep-alive clients (bench/load.py) for a fixed time per query shape.
On PostgreSQL every shape is also served by its ceiling: the same SQL, which bench/capture.py records
from the app's own code path, replayed through bare asyncpg in a minimal Starlette app (bench/ceiling.py);
app and ceiling take turns in alternating rounds. Then, with one worker, the catalogue's p50 while 8
clients send failing logins, against its p50 idle. Loopback only; every load is bounded in time and in
requests.

    .venv/bin/python bench/catalogue.py                  # 100,000 products, 8 s per shape (~6 min)
    .venv/bin/python bench/catalogue.py --quick          # 20,000 products, 3 s per shape, no SQLite (~2 min)
"""

import argparse
import asyncio
import base64
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/catalogue.py`

import asyncpg  # type: ignore[import-untyped]  # noqa: E402
import httpx  # noqa: E402
import uvloop  # noqa: E402
from sqlalchemy import make_url  # noqa: E402

from app.catalogue.search import cursor as search_cursor  # noqa: E402
from app.catalogue.search.schemas import ProductSort  # noqa: E402
from app.core.config import Settings  # noqa: E402
from bench import load, seed  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test_search"
SMALL_CATALOGUE = 10_000
MAX_REQUESTS_PER_SHAPE = 200_000
FILTER_COMBINATIONS = [
    ("TH", "coffee"), ("VN", "coffee"), ("ID", "spices"), ("PH", "fruit"), ("TH", "rice"), ("LA", "tea"),
]  # fmt: skip
TARGET_RATIO = 0.5
RATIO_ROUNDS = 3
FILTERED = "filtered (country+category+certified)"
TARGET_FILTERED_P99_MS = 50.0
DEFAULT_PRODUCTS = 100_000
DEFAULT_SECONDS = 8.0
QUICK_PRODUCTS = 20_000
QUICK_SECONDS = 3.0
# The whole run stays within this, plus the one step under way when it runs out (at most ~30 s); the
# steps left are skipped and named. A quiet machine finishes the default run in about 6 minutes.
DEFAULT_BUDGET_MINUTES = 8.0
SQLITE_SEED_ALLOWANCE_SECONDS = 90.0  # seeding 100,000 products into SQLite, on a busy machine
# The login case: clients sending failing logins, the catalogue clients measured beside them (one: the
# latency of a search without queueing behind other searches), and idle/loaded rounds in turn.
LOGIN_CLIENTS = 8
LOGIN_CATALOGUE_CLIENTS = 1
LOGIN_ROUNDS = 2
LOGIN_TARGET_FACTOR = 2.0
LOGIN_MIN_ROUND_SECONDS = 3.0  # measured seconds of each idle and each loaded round, at least
LOGIN_RAMP_SECONDS = 1.0  # logins in flight before the catalogue is measured beside them
LOGIN_STOP_SECONDS = 60.0  # at most this long for the logins in flight to be answered when a round ends
# High enough that every login is hashed and answered 401: the bench measures the hashing, not the limit.
LOGIN_LIMITS = {"LOGIN_FAILURES_ALLOWED": "1000000", "LOGIN_FAILURES_ALLOWED_PER_ADDRESS": "1000000"}


@dataclass(frozen=True)
class Result:
    label: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    generator_cores: float | None = None  # the load generator's own CPU, in cores

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def line(self) -> str:
        return (
            f"  {self.label:<50} {self.rate:>9.1f} req/s   p50 {self.percentile(0.5):>7.2f} ms"
            f"   p99 {self.percentile(0.99):>7.2f} ms   ({self.requests} requests, {self.errors} errors"
            + (f", generator {self.generator_cores:.2f} cores)" if self.generator_cores is not None else ")")
        )


@dataclass(frozen=True)
class Comparison:
    """One shape on the app and on its ceiling, in alternating rounds."""

    workers: str
    shape: str
    app: Result
    ceiling: Result
    ratios: list[float]  # app / ceiling requests/s, round by round

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


@dataclass(frozen=True)
class LoginCase:
    idle: list[Result]
    loaded: list[Result]
    statuses: Counter[int]
    login_seconds: float
    login_latencies_ms: list[float]

    @property
    def idle_p50(self) -> float:
        return merge("", self.idle).percentile(0.5)

    @property
    def loaded_p50(self) -> float:
        return merge("", self.loaded).percentile(0.5)


# Servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(app: str, *, workers: int, environment: dict[str, str], factory: bool) -> Iterator[str]:
    """uvicorn on 127.0.0.1 at a free port; stopped (this process only) when the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    command += ["--factory"] if factory else []
    # The app's log (a line a request at INFO) goes to a file: an unread pipe would fill and block it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=ROOT, env={**os.environ, **environment}, stdout=subprocess.DEVNULL, stderr=log
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{app} did not start: {log.read()[-2000:].decode(errors='replace')}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def app_environment(database_url: str, log_level: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": log_level,
        "LOG_JSON": "true",
        "ENVIRONMENT": "development",
        **LOGIN_LIMITS,
    }


def ceiling_environment(dsn: str, database_url: str, plans: Path) -> dict[str, str]:
    """The ceiling's pool as large as the app's: DATABASE_POOL_SIZE kept, DATABASE_MAX_OVERFLOW more."""
    settings = Settings(database_url=database_url)
    return {
        "CEILING_DSN": dsn,
        "CEILING_PLANS": str(plans),
        "CEILING_POOL_SIZE": str(settings.database_pool_size),
        "CEILING_POOL_MAX": str(settings.database_pool_size + settings.database_max_overflow),
    }


def out_of_time(arguments: argparse.Namespace, step: str, *, needing: float = 0.0) -> bool:
    """True, and says so, when `step` would start past the run's time budget (or leave it less than
    `needing` seconds)."""
    if time.perf_counter() + needing <= arguments.deadline:
        return False
    print(f"  skipped {step}: the run's {arguments.budget_minutes:g}-minute budget is spent", flush=True)
    arguments.skipped.append(step)
    return True


# Load


async def drive(base_url: str, label: str, paths: Sequence[str], *, clients: int, seconds: float) -> Result:
    """`clients` keep-alive connections, each sending its next request when the last is answered."""
    requests = load.prepare(base_url, paths)
    connections = [await load.Connection.open(base_url) for _ in range(clients)]
    warmup = min(1.0, seconds / 5)
    started = time.perf_counter()
    measured_from = started + warmup
    ends = measured_from + seconds
    latencies: list[float] = []
    errors = 0

    async def client_loop(number: int, connection: load.Connection) -> None:
        nonlocal errors
        request = number
        while len(latencies) < MAX_REQUESTS_PER_SHAPE:
            sent = time.perf_counter()
            if sent >= ends:
                return
            status, _ = await connection.send(requests[request % len(requests)])
            answered = time.perf_counter()
            request += clients
            if sent >= measured_from:
                latencies.append((answered - sent) * 1000)
                errors += status != 200

    async def cpu_when_measuring_starts() -> float:
        await asyncio.sleep(warmup)
        return time.process_time()

    cpu_from = asyncio.ensure_future(cpu_when_measuring_starts())
    try:
        await asyncio.gather(*(client_loop(number, c) for number, c in enumerate(connections)))
    finally:
        for connection in connections:
            await connection.close()
    elapsed = min(time.perf_counter(), ends) - measured_from
    generator_cores = (time.process_time() - await cpu_from) / elapsed
    return Result(label, len(latencies), errors, elapsed, latencies, generator_cores)


async def sequential(base_url: str, label: str, paths: Sequence[str], *, requests: int) -> Result:
    """One client, one request at a time: the latency of a page without queueing."""
    prepared = load.prepare(base_url, paths)
    connection = await load.Connection.open(base_url)
    latencies: list[float] = []
    errors = 0
    try:
        for number in range(requests + 20):
            sent = time.perf_counter()
            status, _ = await connection.send(prepared[number % len(prepared)])
            if number >= 20:  # the first ones warm the connection pool and the caches
                latencies.append((time.perf_counter() - sent) * 1000)
                errors += status != 200
    finally:
        await connection.close()
    return Result(label, len(latencies), errors, sum(latencies) / 1000, latencies)


@asynccontextmanager
async def failing_logins(base_url: str, statuses: Counter[int], latencies: list[float]) -> AsyncIterator[None]:
    """LOGIN_CLIENTS keep-alive clients sending `POST /v1/auth/token` with a wrong password for unknown
    e-mails, each client its own (a new one each time), until the block ends; answers counted by status."""
    stop = asyncio.Event()

    async def client_loop(number: int) -> None:
        connection = await load.Connection.open(base_url)
        try:
            attempt = 0
            while not stop.is_set():
                fields = urlencode({"username": f"nobody-{number}-{attempt}@bench.example.org", "password": "wrong"})
                sent = time.perf_counter()
                status, _ = await connection.send(load.form_post(base_url, "/v1/auth/token", fields))
                latencies.append((time.perf_counter() - sent) * 1000)
                statuses[status] += 1
                attempt += 1
        finally:
            await connection.close()

    clients = [asyncio.ensure_future(client_loop(number)) for number in range(LOGIN_CLIENTS)]
    try:
        yield
    finally:
        stop.set()
        _, late = await asyncio.wait(clients, timeout=LOGIN_STOP_SECONDS)
        for client in late:
            client.cancel()
        for client in clients:
            if not client.cancelled() and client.exception() is not None:
                raise RuntimeError("a login client failed") from client.exception()


# Query shapes


def shapes(deep_cursors: Sequence[str]) -> dict[str, list[str]]:
    url = "/v1/catalogue/products?"
    return {
        "full-text (relevance)": [url + urlencode({"q": words}) for words in seed.SEARCHES],
        FILTERED: [
            url + urlencode({"country": country, "category": category, "certified": "true"})
            for country, category in FILTER_COMBINATIONS
        ],
        "price-sorted page (USD)": [
            url + urlencode({"sort": "price_asc", "price_currency": "USD", "currency": "USD", "category": category})
            for category in ("coffee", "tea", "spices", "textiles")
        ]
        + [url + urlencode({"sort": "price_desc", "price_currency": "USD", "min_price": "5.00", "max_price": "40.00"})],
        "deep page by cursor (newest)": [url + f"cursor={quote(c)}" for c in deep_cursors],
    }


def newest_cursor(created_at: datetime, product_id: str) -> str:
    meaning = search_cursor.fingerprint(ProductSort.newest, words=(), price_currency=None)
    return search_cursor.encode(ProductSort.newest, meaning, datetime.now(UTC), (created_at.isoformat(), product_id))


def price_cursor(price_minor: int, product_id: str, *, sqlite: bool) -> str:
    """A price_asc cursor (in USD) at a USD product: its key is its own price_minor."""
    meaning = search_cursor.fingerprint(ProductSort.price_asc, words=(), price_currency="USD")
    key = repr(float(price_minor)) if sqlite else str(price_minor)
    return search_cursor.encode(ProductSort.price_asc, meaning, datetime.now(UTC), (key, price_minor, product_id))


def cursor_paths(deep: Sequence[str], prices: Sequence[str]) -> dict[str, list[str]]:
    url = "/v1/catalogue/products?"
    return {
        "newest": [url + urlencode({"cursor": c}) for c in deep],
        "price_asc": [url + urlencode({"cursor": c, "sort": "price_asc", "price_currency": "USD"}) for c in prices],
    }


async def postgresql_cursors(dsn: str, count: int) -> tuple[list[str], list[str]]:
    """Cursors between half-way and the end of the newest order, and mid-way in USD price order."""
    connection = await asyncpg.connect(dsn)
    try:
        deep = []
        for step in range(20):
            row = await connection.fetchrow(
                "SELECT created_at, id FROM product WHERE status = 'listed' ORDER BY created_at DESC, id DESC "
                "OFFSET $1 LIMIT 1",
                int(count * (0.5 + step * 0.024)),
            )
            deep.append(newest_cursor(row["created_at"], str(row["id"])))
        rows = await connection.fetch(
            "SELECT price_minor, id FROM product WHERE status = 'listed' AND currency = 'USD' ORDER BY id LIMIT 20"
        )
        prices = [price_cursor(row["price_minor"], str(row["id"]), sqlite=False) for row in rows]
        return deep, prices
    finally:
        await connection.close()


def sqlite_cursors(path: str, count: int) -> tuple[list[str], list[str]]:
    connection = sqlite3.connect(path)
    try:
        deep = []
        for step in range(20):
            created_at, hex_id = connection.execute(
                "SELECT created_at, id FROM product WHERE status = 'listed' ORDER BY created_at DESC, id DESC "
                "LIMIT 1 OFFSET ?",
                (int(count * (0.5 + step * 0.024)),),
            ).fetchone()
            at = datetime.fromisoformat(created_at).replace(tzinfo=UTC)
            deep.append(newest_cursor(at, str(UUID(hex=hex_id))))
        rows = connection.execute(
            "SELECT price_minor, id FROM product WHERE status = 'listed' AND currency = 'USD' ORDER BY id LIMIT 20"
        ).fetchall()
        prices = [price_cursor(price, str(UUID(hex=hex_id)), sqlite=True) for price, hex_id in rows]
        return deep, prices
    finally:
        connection.close()


# Runs


def migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
    )


def capture(database_url: str, paths: Sequence[str], plans: Path) -> None:
    """The app's SQL for each path, recorded from its own code path by bench/capture.py (in a process of
    its own: the load generator should not carry the app's modules)."""
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "bench.capture", str(plans)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"},
        input=json.dumps(list(paths)).encode(),
        check=True,
    )


async def reset_postgresql(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


async def cursor_timings(base_url: str, label: str, deep: list[str], prices: list[str]) -> list[Result]:
    return [
        await sequential(base_url, f"{sort} cursor page {label}", paths, requests=300)
        for sort, paths in cursor_paths(deep, prices).items()
    ]


async def run_shapes(
    base_url: str, label: str, shaped: dict[str, list[str]], arguments: argparse.Namespace
) -> list[Result]:
    results = []
    for shape, paths in shaped.items():
        if out_of_time(arguments, f"{label} {shape}"):
            continue
        result = await drive(base_url, f"{label} {shape}", paths, clients=arguments.clients, seconds=arguments.seconds)
        print(result.line(), flush=True)
        results.append(result)
    return results


@dataclass
class PostgreSQLRun:
    results: dict[str, Result]
    comparisons: list[Comparison]
    login: LoginCase | None


async def benchmark_postgresql(arguments: argparse.Namespace, directory: str, run: PostgreSQLRun) -> None:
    """Fills `run` as it goes, so that what was measured before a failure is still reported."""
    url = make_url(arguments.database_url)
    database = url.database or ""
    if not any(part in database for part in ("test", "bench")) and not arguments.force:
        raise SystemExit(f"Refusing to reset database {database!r}: name it *test*/*bench* or pass --force.")
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    environment = app_environment(arguments.database_url, arguments.log_level)
    print(f"\nPostgreSQL {database}: fresh schema, alembic upgrade head", flush=True)
    await reset_postgresql(dsn)
    migrate(arguments.database_url)

    small = min(SMALL_CATALOGUE, arguments.products)
    started = time.perf_counter()
    await seed.seed_postgresql(dsn, first=0, count=small)
    print(f"  seeded {small:,} products in {time.perf_counter() - started:.1f} s", flush=True)
    with server("app.main:create_app", workers=1, environment=environment, factory=True) as base_url:
        for result in await cursor_timings(base_url, f"at {small:,}", *await postgresql_cursors(dsn, small)):
            print(result.line(), flush=True)
            run.results[f"postgresql {result.label}"] = result
    started = time.perf_counter()
    await seed.seed_postgresql(dsn, first=small, count=arguments.products - small)
    print(f"  seeded {arguments.products - small:,} more in {time.perf_counter() - started:.1f} s", flush=True)
    deep, prices = await postgresql_cursors(dsn, arguments.products)
    shaped = shapes(deep)
    every_path = [path for paths in (*shaped.values(), *cursor_paths(deep, prices).values()) for path in paths]
    plans = Path(directory) / "ceiling-plans.pickle"
    started = time.perf_counter()
    capture(arguments.database_url, every_path, plans)
    print(f"  recorded the app's SQL for {len(every_path)} paths in {time.perf_counter() - started:.1f} s", flush=True)
    ceiling_env = ceiling_environment(dsn, arguments.database_url, plans)

    for workers in (1, 2):
        named = f"{workers} worker{'s' * (workers > 1)}"
        if out_of_time(arguments, f"every run with {named}"):
            continue
        with (
            server("app.main:create_app", workers=workers, environment=environment, factory=True) as base_url,
            server("bench.ceiling:app", workers=workers, environment=ceiling_env, factory=False) as ceiling,
        ):
            await check_ceiling_agrees(base_url, ceiling, every_path)
            if workers == 1:
                for base, who in ((base_url, "app"), (ceiling, "ceiling")):
                    label = f"at {arguments.products:,} ({who})"
                    for result in await cursor_timings(base, label, deep, prices):
                        print(result.line(), flush=True)
                        run.results[f"postgresql {result.label}"] = result
            for shape, paths in shaped.items():
                if not out_of_time(arguments, f"app and ceiling, {named}: {shape}"):
                    run.comparisons.append(await against_ceiling(base_url, ceiling, shape, paths, named, arguments))
        if workers == 1 and not arguments.skip_login and not out_of_time(arguments, "the login load case"):
            with server("app.main:create_app", workers=1, environment=environment, factory=True) as base_url:
                run.login = await login_case(base_url, shaped[FILTERED], arguments)


def comparable(body: bytes) -> dict[str, Any]:
    """An answer without the moment its next cursor carries (the first page of a search takes the time of
    the request as the rates' moment; the ceiling, the time the app's SQL was recorded)."""
    answer: dict[str, Any] = json.loads(body)
    if answer.get("next_cursor"):
        payload = json.loads(base64.urlsafe_b64decode(answer["next_cursor"]))
        answer["next_cursor"] = payload[:3] + payload[4:]
    return answer


async def check_ceiling_agrees(base_url: str, ceiling: str, paths: Sequence[str]) -> None:
    """Every path answers the same on the app and on the ceiling, products, prices, display prices and
    cursors alike: the ceiling does the app's work, only without the framework."""
    async with httpx.AsyncClient(timeout=30) as client:
        for path in paths:
            ours = await client.get(base_url + path)
            theirs = await client.get(ceiling + path)
            if ours.status_code != 200 or theirs.status_code != 200:
                raise RuntimeError(f"{path}: app {ours.status_code}, ceiling {theirs.status_code}")
            if comparable(ours.content) != comparable(theirs.content):
                raise RuntimeError(f"the ceiling and the app answer {path} differently")


async def against_ceiling(
    base_url: str, ceiling: str, shape: str, paths: Sequence[str], named: str, arguments: argparse.Namespace
) -> Comparison:
    """One shape on the app and on its ceiling in alternating rounds, and the rounds' ratios: this
    machine's speed drifts by a third within minutes, so each ratio compares runs seconds apart."""
    ours: list[Result] = []
    theirs: list[Result] = []
    seconds = arguments.seconds / RATIO_ROUNDS
    for _ in range(RATIO_ROUNDS):
        for base, runs in ((base_url, ours), (ceiling, theirs)):
            runs.append(await drive(base, "", paths, clients=arguments.clients, seconds=seconds))
    ratios = [mine.rate / bare.rate for mine, bare in zip(ours, theirs, strict=True)]
    comparison = Comparison(
        named, shape, merge(f"app, {named}: {shape}", ours), merge(f"ceiling, {named}: {shape}", theirs), ratios
    )
    print(comparison.app.line(), flush=True)
    print(comparison.ceiling.line(), flush=True)
    print(
        f"  app / ceiling: {', '.join(f'{ratio:.2f}' for ratio in ratios)} by round, median {comparison.ratio:.2f}",
        flush=True,
    )
    return comparison


async def login_case(base_url: str, paths: Sequence[str], arguments: argparse.Namespace) -> LoginCase:
    """The filtered search with one client, idle and beside LOGIN_CLIENTS clients sending failing logins,
    in alternating rounds on one worker; every login is hashed (LOGIN_LIMITS)."""
    print(
        f"\n  Login load, 1 worker: filtered search with {LOGIN_CATALOGUE_CLIENTS} client, idle and beside "
        f"{LOGIN_CLIENTS} clients sending failing logins",
        flush=True,
    )
    idle: list[Result] = []
    loaded: list[Result] = []
    statuses: Counter[int] = Counter()
    login_latencies: list[float] = []
    login_seconds = 0.0
    seconds = max(LOGIN_MIN_ROUND_SECONDS, arguments.seconds / LOGIN_ROUNDS)
    for number in range(1, LOGIN_ROUNDS + 1):
        result = await drive(base_url, f"idle, round {number}", paths, clients=LOGIN_CATALOGUE_CLIENTS, seconds=seconds)
        print(result.line(), flush=True)
        idle.append(result)
        started = time.perf_counter()
        async with failing_logins(base_url, statuses, login_latencies):
            await asyncio.sleep(LOGIN_RAMP_SECONDS)
            result = await drive(
                base_url, f"beside logins, round {number}", paths, clients=LOGIN_CATALOGUE_CLIENTS, seconds=seconds
            )
        login_seconds += time.perf_counter() - started
        print(result.line(), flush=True)
        loaded.append(result)
    case = LoginCase(idle, loaded, statuses, login_seconds, login_latencies)
    print(f"  {login_line(case)}", flush=True)
    return case


def login_line(case: LoginCase) -> str:
    factor = case.loaded_p50 / case.idle_p50
    others = sum(count for status, count in case.statuses.items() if status not in (401, 429))
    logins = sum(case.statuses.values())
    return (
        f"catalogue p50 {case.loaded_p50:.2f} ms beside failing logins vs {case.idle_p50:.2f} ms idle: "
        f"{factor:.1f}x [{'within' if factor <= LOGIN_TARGET_FACTOR else 'NOT within'} {LOGIN_TARGET_FACTOR:g}x]; "
        f"logins answered {case.statuses[401]} x 401, {case.statuses[429]} x 429, {others} other "
        f"({logins / case.login_seconds:.1f}/s, p50 {statistics.median(case.login_latencies_ms or [0]):.0f} ms)"
    )


def merge(label: str, runs: Sequence[Result]) -> Result:
    seconds = sum(run.seconds for run in runs)
    cores = sum((run.generator_cores or 0) * run.seconds for run in runs) / seconds
    latencies = [latency for run in runs for latency in run.latencies_ms]
    return Result(label, sum(run.requests for run in runs), sum(run.errors for run in runs), seconds, latencies, cores)


async def benchmark_sqlite(arguments: argparse.Namespace, directory: str, results: dict[str, Result]) -> None:
    """Fills `results` as it goes, so that what was measured before a failure is still reported."""
    path = str(Path(directory) / "bench.db")
    database_url = f"sqlite+aiosqlite:///{path}"
    environment = app_environment(database_url, arguments.log_level)
    print(f"\nSQLite {path}: alembic upgrade head", flush=True)
    migrate(database_url)
    small = min(SMALL_CATALOGUE, arguments.products)
    started = time.perf_counter()
    seed.seed_sqlite(path, first=0, count=small)
    print(f"  seeded {small:,} products in {time.perf_counter() - started:.1f} s", flush=True)
    with server("app.main:create_app", workers=1, environment=environment, factory=True) as base_url:
        for result in await cursor_timings(base_url, f"at {small:,}", *sqlite_cursors(path, small)):
            print(result.line(), flush=True)
            results[f"sqlite {result.label}"] = result
    started = time.perf_counter()
    seed.seed_sqlite(path, first=small, count=arguments.products - small)
    print(f"  seeded {arguments.products - small:,} more in {time.perf_counter() - started:.1f} s", flush=True)
    deep, prices = sqlite_cursors(path, arguments.products)
    for workers in (1, 2):
        with server("app.main:create_app", workers=workers, environment=environment, factory=True) as base_url:
            if workers == 1:
                for result in await cursor_timings(base_url, f"at {arguments.products:,}", deep, prices):
                    print(result.line(), flush=True)
                    results[f"sqlite {result.label}"] = result
            label = f"app, {workers} worker{'s' * (workers > 1)}:"
            for result in await run_shapes(base_url, label, shapes(deep), arguments):
                results[f"sqlite {result.label}"] = result


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{model}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def cpu_probe() -> str:
    """Milliseconds for a fixed piece of pure Python, best of five: this machine's speed right now."""
    best = min(_timed(lambda: sum(i * i for i in range(300_000))) for _ in range(5))
    return f"{best * 1000:.1f} ms"


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def summary(run: PostgreSQLRun | None, results: dict[str, Result], products: int) -> None:
    if run is not None:
        print("\nApp against its ceiling (PostgreSQL; the same SQL through bare asyncpg; alternating rounds)")
        print(
            f"  {'workers':<10} {'shape':<40} {'app req/s':>10} {'ceiling':>8} {'ratio':>6}"
            f" {'app p99':>10} {'ceiling p99':>12}"
        )
        for comparison in run.comparisons:
            print(
                f"  {comparison.workers:<10} {comparison.shape:<40} {comparison.app.rate:>10.0f}"
                f" {comparison.ceiling.rate:>8.0f} {comparison.ratio:>6.2f}"
                f" {comparison.app.percentile(0.99):>7.1f} ms {comparison.ceiling.percentile(0.99):>9.1f} ms"
            )
        print("\nTargets (PostgreSQL)")
        for comparison in run.comparisons:
            if comparison.shape != FILTERED:
                continue
            ratio, p99 = comparison.ratio, comparison.app.percentile(0.99)
            print(
                f"  {comparison.workers}: filtered, median ratio of the rounds {ratio:.2f} "
                f"[{'ok' if ratio >= TARGET_RATIO else 'BELOW'} >= {TARGET_RATIO}]; p99 {p99:.1f} ms "
                f"[{'ok' if p99 < TARGET_FILTERED_P99_MS else 'ABOVE'} < {TARGET_FILTERED_P99_MS:.0f} ms; ceiling's "
                f"{comparison.ceiling.percentile(0.99):.1f} ms]"
            )
        if run.login is not None:
            print(f"  login load, 1 worker: {login_line(run.login)}")
    for database in ("postgresql", "sqlite"):
        for sort in ("newest", "price_asc"):
            for who in ("", " (app)", " (ceiling)"):
                small = results.get(f"{database} {sort} cursor page at {min(SMALL_CATALOGUE, products):,}")
                large = results.get(f"{database} {sort} cursor page at {products:,}{who}")
                if small is None or large is None or small is large:
                    continue
                print(
                    f"  {database} {sort} cursor page{who}: median {statistics.median(large.latencies_ms):.2f} ms "
                    f"at {products:,} products; the app's at {min(SMALL_CATALOGUE, products):,}: "
                    f"{statistics.median(small.latencies_ms):.2f} ms"
                )


def arguments_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, prog="python bench/catalogue.py"
    )
    parser.add_argument("--products", type=int, help="catalogue size (default 100000; 20000 with --quick)")
    parser.add_argument("--seconds", type=float, help="measured seconds per query shape (default 8; 3 with --quick)")
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=DEFAULT_BUDGET_MINUTES,
        help=f"skip the steps that would start later than this (default {DEFAULT_BUDGET_MINUTES:g})",
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive clients (default 32)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL to reset and fill (default {DEFAULT_DATABASE_URL}, or BENCH_DATABASE_URL)",
    )
    parser.add_argument("--log-level", default="INFO", help="the app's LOG_LEVEL (default INFO: a JSON line a request)")
    parser.add_argument("--quick", action="store_true", help="a quick look: 20000 products, 3 s per shape, no SQLite")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-login", action="store_true", help="leave out the catalogue beside failing logins")
    parser.add_argument("--force", action="store_true", help="reset a database whose name lacks test/bench")
    return parser


async def main() -> None:
    arguments = arguments_parser().parse_args()
    if arguments.products is None:
        arguments.products = QUICK_PRODUCTS if arguments.quick else DEFAULT_PRODUCTS
    if arguments.seconds is None:
        arguments.seconds = QUICK_SECONDS if arguments.quick else DEFAULT_SECONDS
    arguments.skip_sqlite = arguments.skip_sqlite or arguments.quick
    if arguments.products < 1 or not 0 < arguments.seconds <= 60 or not 1 <= arguments.clients <= 256:
        raise SystemExit("--products >= 1, 0 < --seconds <= 60 and 1 <= --clients <= 256")
    if not 0 < arguments.budget_minutes <= 30:
        raise SystemExit("0 < --budget-minutes <= 30")
    began = time.perf_counter()
    arguments.deadline = began + arguments.budget_minutes * 60
    arguments.skipped = []
    print(f"Machine: {machine()}")
    # Other processes on these two cores, and the host under them, skew every number: check the load and
    # the CPU probe before and after.
    print(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU probe {cpu_probe()}")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print("  (other processes are busy on these cores: expect lower and noisier numbers than on a quiet machine)")
    print(f"{arguments.products:,} products, {arguments.clients} clients, {arguments.seconds:g} s per shape")
    run = None if arguments.skip_postgresql else PostgreSQLRun({}, [], None)
    sqlite_results: dict[str, Result] = {}
    failures = []
    with tempfile.TemporaryDirectory(prefix="teikei-bench-") as directory:
        try:
            if run is not None:
                await benchmark_postgresql(arguments, directory, run)
            if not arguments.skip_sqlite and not out_of_time(
                arguments, "SQLite", needing=SQLITE_SEED_ALLOWANCE_SECONDS + arguments.seconds
            ):
                await benchmark_sqlite(arguments, directory, sqlite_results)
        except Exception as error:  # report what was measured before it, then fail
            failures.append(error)
            traceback.print_exc()
            print(f"\nStopped by an error: {error!r}", flush=True)
    summary(run, (run.results if run else {}) | sqlite_results, arguments.products)
    print(f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU probe {cpu_probe()}")
    if arguments.skipped:
        print(f"Skipped for time: {'; '.join(arguments.skipped)}")
    print(f"Whole run: {time.perf_counter() - began:.0f} s")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    uvloop.run(main())  # the load generator shares the two cores: the cheaper its event loop, the better
