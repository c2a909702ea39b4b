"""What the app sends to PostgreSQL for each request of the benchmark, taken from the app itself.

Run by bench/catalogue.py in a process of its own (so that the load generator and the ceiling do not
carry the app's modules): it builds the real app with `create_app`, serves it in process over ASGI (no
server, no network) against the seeded database, sends each path once to warm the pool and the
statement cache, then once more while recording every statement at SQLAlchemy's `before_cursor_execute`
event. That event sees exactly what the asyncpg adapter prepares and binds (`cursor.execute(operation,
parameters)`: the SQL text with its `$n` placeholders and the values after the bind processors), so
bench/ceiling.py replays the SQL of the app's current code path, whatever app/catalogue/search/query.py
builds today; the two cannot drift. The app's answer to each path is kept too: the bench checks that the
ceiling answers the same before it measures anything.

    DATABASE_URL=postgresql+asyncpg://... python -m bench.capture OUT.pickle < paths.json

Writes a pickle of {path: {"statements": [(sql, (value, ...)), ...], "status": int, "body": bytes}}."""

import asyncio
import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script as well as with -m

import httpx  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402

Statement = tuple[str, tuple[Any, ...]]


async def capture(database_url: str, paths: list[str]) -> dict[str, dict[str, Any]]:
    recorded: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool) -> None:
        if executemany:
            raise RuntimeError(f"a search request ran executemany: {statement[:200]}")
        recorded.append((statement, tuple(parameters or ())))

    # On the Engine class, so that it sees the engine create_app makes; listened before that engine exists.
    event.listen(Engine, "before_cursor_execute", record)
    settings = Settings(database_url=database_url, log_level="WARNING", log_json=True)
    app = create_app(settings)
    plans: dict[str, dict[str, Any]] = {}
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://capture") as client,
        ):
            for path in paths:
                # The first request of a path may open a connection (the dialect's own set-up queries go
                # through the same event) and prepares its statements: only the second one is recorded.
                await client.get(path)
                recorded.clear()
                response = await client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:500]}")
                if not recorded or any(not sql.lstrip().upper().startswith("SELECT") for sql, _ in recorded):
                    raise RuntimeError(f"{path}: expected only SELECTs, got {[sql[:80] for sql, _ in recorded]}")
                plans[path] = {"statements": list(recorded), "status": response.status_code, "body": response.content}
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return plans


def main() -> None:
    out = Path(sys.argv[1])
    paths = json.load(sys.stdin)
    plans = asyncio.run(capture(os.environ["DATABASE_URL"], paths))
    out.write_bytes(pickle.dumps(plans))


if __name__ == "__main__":
    main()
