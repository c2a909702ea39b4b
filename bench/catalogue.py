"""Benchmark of GET /v1/catalogue/products (browse and search) on PostgreSQL and SQLite.

Seeds the catalogue through the drivers, starts the real app with uvicorn on 127.0.0.1 (1, then 2
workers), drives it with concurrent keep-alive clients (bench/load.py) for a fixed time per query shape, and serves the
filtered query through bare asyncpg in a minimal Starlette app (bench/ceiling.py) as the ceiling.
Loopback only; every load is bounded in time and in requests.

    .venv/bin/python bench/catalogue.py                  # 100,000 products, 10 s per shape (~6 min)
    .venv/bin/python bench/catalogue.py --products 20000 --seconds 3 --skip-sqlite
"""

import argparse
import asyncio
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
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
            f"  {self.label:<34} {self.rate:>9.1f} req/s   p50 {self.percentile(0.5):>7.2f} ms"
            f"   p99 {self.percentile(0.99):>7.2f} ms   ({self.requests} requests, {self.errors} errors"
            + (f", generator {self.generator_cores:.2f} cores)" if self.generator_cores is not None else ")")
        )


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
    return {"DATABASE_URL": database_url, "LOG_LEVEL": log_level, "LOG_JSON": "true", "ENVIRONMENT": "development"}


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
            status, _ = await connection.get(requests[request % len(requests)])
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
            status, _ = await connection.get(prepared[number % len(prepared)])
            if number >= 20:  # the first ones warm the connection pool and the caches
                latencies.append((time.perf_counter() - sent) * 1000)
                errors += status != 200
    finally:
        await connection.close()
    return Result(label, len(latencies), errors, sum(latencies) / 1000, latencies)


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


def ceiling_paths() -> list[str]:
    return [
        "/v1/catalogue/products?" + urlencode({"country": country, "category": category, "certified": "true"})
        for country, category in FILTER_COMBINATIONS
    ]


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


async def reset_postgresql(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


async def cursor_timings(base_url: str, products: int, deep: list[str], prices: list[str]) -> list[Result]:
    return [
        await sequential(base_url, f"{sort} cursor page at {products:,}", paths, requests=300)
        for sort, paths in cursor_paths(deep, prices).items()
    ]


async def run_shapes(
    base_url: str, label: str, shaped: dict[str, list[str]], arguments: argparse.Namespace
) -> list[Result]:
    results = []
    for shape, paths in shaped.items():
        result = await drive(base_url, f"{label} {shape}", paths, clients=arguments.clients, seconds=arguments.seconds)
        print(result.line(), flush=True)
        results.append(result)
    return results


async def benchmark_postgresql(arguments: argparse.Namespace) -> tuple[dict[str, Result], dict[str, float]]:
    url = make_url(arguments.database_url)
    database = url.database or ""
    if not any(part in database for part in ("test", "bench")) and not arguments.force:
        raise SystemExit(f"Refusing to reset database {database!r}: name it *test*/*bench* or pass --force.")
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    environment = app_environment(arguments.database_url, arguments.log_level)
    print(f"\nPostgreSQL {database}: fresh schema, alembic upgrade head", flush=True)
    await reset_postgresql(dsn)
    migrate(arguments.database_url)
    results: dict[str, Result] = {}
    ratios: dict[str, float] = {}  # app / ceiling on the filtered shape, by worker count

    small = min(SMALL_CATALOGUE, arguments.products)
    started = time.perf_counter()
    await seed.seed_postgresql(dsn, first=0, count=small)
    print(f"  seeded {small:,} products in {time.perf_counter() - started:.1f} s", flush=True)
    with server("app.main:create_app", workers=1, environment=environment, factory=True) as base_url:
        for result in await cursor_timings(base_url, small, *await postgresql_cursors(dsn, small)):
            print(result.line(), flush=True)
            results[f"postgresql {result.label}"] = result
    started = time.perf_counter()
    await seed.seed_postgresql(dsn, first=small, count=arguments.products - small)
    print(f"  seeded {arguments.products - small:,} more in {time.perf_counter() - started:.1f} s", flush=True)
    deep, prices = await postgresql_cursors(dsn, arguments.products)

    for workers in (1, 2):
        named = f"{workers} worker{'s' * (workers > 1)}"
        with (
            server("app.main:create_app", workers=workers, environment=environment, factory=True) as base_url,
            server("bench.ceiling:app", workers=workers, environment={"CEILING_DSN": dsn}, factory=False) as ceiling,
        ):
            if workers == 1:
                for result in await cursor_timings(base_url, arguments.products, deep, prices):
                    print(result.line(), flush=True)
                    results[f"postgresql {result.label}"] = result
            await check_ceiling_agrees(base_url, ceiling)
            others = {shape: paths for shape, paths in shapes(deep).items() if shape != FILTERED}
            for result in await run_shapes(base_url, f"app, {named}:", others, arguments):
                results[f"postgresql {result.label}"] = result
            ours, theirs, ratio = await against_ceiling(base_url, ceiling, named, arguments)
            results[f"postgresql {ours.label}"] = ours
            results[f"postgresql {theirs.label}"] = theirs
            ratios[named] = ratio
    return results, ratios


async def check_ceiling_agrees(base_url: str, ceiling: str) -> None:
    sample = ceiling_paths()[0]
    async with httpx.AsyncClient() as client:
        ours = (await client.get(base_url + sample)).json()
        theirs = (await client.get(ceiling + sample)).json()
    if [p["id"] for p in theirs["data"]] != [p["id"] for p in ours["data"]]:
        raise RuntimeError("the ceiling and the app disagree on the filtered query")


async def against_ceiling(
    base_url: str, ceiling: str, named: str, arguments: argparse.Namespace
) -> tuple[Result, Result, float]:
    """The filtered shape on the app and on the ceiling in alternating rounds, and the median of the
    rounds' ratios: this machine's speed drifts by a third within minutes, so each ratio compares
    runs seconds apart."""
    ours: list[Result] = []
    theirs: list[Result] = []
    seconds = arguments.seconds / RATIO_ROUNDS
    for _ in range(RATIO_ROUNDS):
        for base, runs in ((base_url, ours), (ceiling, theirs)):
            runs.append(await drive(base, "", ceiling_paths(), clients=arguments.clients, seconds=seconds))
    ratio = statistics.median(mine.rate / bare.rate for mine, bare in zip(ours, theirs, strict=True))
    merged = merge(f"app, {named}: {FILTERED}", ours), merge(f"ceiling, {named}: filtered (bare asyncpg)", theirs)
    for result in merged:
        print(result.line(), flush=True)
    print(
        f"  app / ceiling, {named}: {', '.join(f'{m.rate / b.rate:.2f}' for m, b in zip(ours, theirs, strict=True))}"
        f" by round, median {ratio:.2f}",
        flush=True,
    )
    return *merged, ratio


def merge(label: str, runs: Sequence[Result]) -> Result:
    seconds = sum(run.seconds for run in runs)
    cores = sum((run.generator_cores or 0) * run.seconds for run in runs) / seconds
    latencies = [latency for run in runs for latency in run.latencies_ms]
    return Result(label, sum(run.requests for run in runs), sum(run.errors for run in runs), seconds, latencies, cores)


async def benchmark_sqlite(arguments: argparse.Namespace, directory: str) -> dict[str, Result]:
    path = str(Path(directory) / "bench.db")
    database_url = f"sqlite+aiosqlite:///{path}"
    environment = app_environment(database_url, arguments.log_level)
    print(f"\nSQLite {path}: alembic upgrade head", flush=True)
    migrate(database_url)
    results: dict[str, Result] = {}
    small = min(SMALL_CATALOGUE, arguments.products)
    started = time.perf_counter()
    seed.seed_sqlite(path, first=0, count=small)
    print(f"  seeded {small:,} products in {time.perf_counter() - started:.1f} s", flush=True)
    with server("app.main:create_app", workers=1, environment=environment, factory=True) as base_url:
        for result in await cursor_timings(base_url, small, *sqlite_cursors(path, small)):
            print(result.line(), flush=True)
            results[f"sqlite {result.label}"] = result
    started = time.perf_counter()
    seed.seed_sqlite(path, first=small, count=arguments.products - small)
    print(f"  seeded {arguments.products - small:,} more in {time.perf_counter() - started:.1f} s", flush=True)
    deep, prices = sqlite_cursors(path, arguments.products)
    for workers in (1, 2):
        with server("app.main:create_app", workers=workers, environment=environment, factory=True) as base_url:
            if workers == 1:
                for result in await cursor_timings(base_url, arguments.products, deep, prices):
                    print(result.line(), flush=True)
                    results[f"sqlite {result.label}"] = result
            label = f"app, {workers} worker{'s' * (workers > 1)}:"
            for result in await run_shapes(base_url, label, shapes(deep), arguments):
                results[f"sqlite {result.label}"] = result
    return results


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


def summary(results: dict[str, Result], ratios: dict[str, float]) -> None:
    print("\nTargets (PostgreSQL)")
    for workers, ratio in ratios.items():
        ours = results[f"postgresql app, {workers}: {FILTERED}"]
        ceiling = results[f"postgresql ceiling, {workers}: filtered (bare asyncpg)"]
        p99 = ours.percentile(0.99)
        print(
            f"  {workers}: filtered {ours.rate:.0f} req/s, ceiling {ceiling.rate:.0f} req/s; median ratio of the "
            f"rounds {ratio:.2f} [{'ok' if ratio >= TARGET_RATIO else 'BELOW'} >= {TARGET_RATIO}]; p99 {p99:.1f} ms "
            f"[{'ok' if p99 < TARGET_FILTERED_P99_MS else 'ABOVE'} < {TARGET_FILTERED_P99_MS:.0f} ms; ceiling's "
            f"{ceiling.percentile(0.99):.1f} ms]"
        )
    for database in ("postgresql", "sqlite"):
        for sort in ("newest", "price_asc"):
            timings = [r for k, r in results.items() if k.startswith(f"{database} {sort} cursor page at")]
            if len(timings) == 2:
                small, large = timings
                print(
                    f"  {database} {sort} cursor page: median {statistics.median(small.latencies_ms):.2f} ms at "
                    f"{small.label.rsplit(' ', 1)[-1]} vs {statistics.median(large.latencies_ms):.2f} ms at "
                    f"{large.label.rsplit(' ', 1)[-1]} products"
                )


def arguments_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter, prog="python bench/catalogue.py"
    )
    parser.add_argument("--products", type=int, default=100_000, help="catalogue size (default 100000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per query shape (default 10)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive clients (default 32)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL to reset and fill (default {DEFAULT_DATABASE_URL}, or BENCH_DATABASE_URL)",
    )
    parser.add_argument("--log-level", default="INFO", help="the app's LOG_LEVEL (default INFO: a JSON line a request)")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--force", action="store_true", help="reset a database whose name lacks test/bench")
    return parser


async def main() -> None:
    arguments = arguments_parser().parse_args()
    if arguments.products < 1 or arguments.seconds <= 0 or not 1 <= arguments.clients <= 256:
        raise SystemExit("--products >= 1, --seconds > 0 and 1 <= --clients <= 256")
    print(f"Machine: {machine()}")
    # Other processes on these two cores, and the host under them, skew every number: check the load and
    # the CPU probe before and after.
    print(f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU probe {cpu_probe()}")
    print(f"{arguments.products:,} products, {arguments.clients} clients, {arguments.seconds:g} s per shape")
    results: dict[str, Result] = {}
    ratios: dict[str, float] = {}
    if not arguments.skip_postgresql:
        postgresql, ratios = await benchmark_postgresql(arguments)
        results |= postgresql
    if not arguments.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="teikei-bench-") as directory:
            results |= await benchmark_sqlite(arguments, directory)
    summary(results, ratios)
    print(f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU probe {cpu_probe()}")


if __name__ == "__main__":
    uvloop.run(main())  # the load generator shares the two cores: the cheaper its event loop, the better
