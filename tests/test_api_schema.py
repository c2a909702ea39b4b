"""Schemathesis generates requests for every operation of the app's own OpenAPI document and
fails on any server error or any response that does not match what the document promises.

It runs against a real app on a migrated SQLite file with the demo data, logged in as a demo
coordinator, so authenticated operations get past the login check."""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app.core import security
from app.core.config import Settings
from app.main import create_app

ROOT = Path(__file__).resolve().parent.parent
DATABASE_FILE = Path(tempfile.mkdtemp(prefix="teikei-schema-")) / "schema.db"
DATABASE_URL = f"sqlite+aiosqlite:///{DATABASE_FILE}"
# Without rate limits: the run sends hundreds of requests a minute as one user, which is what they refuse.
APP_SETTINGS = Settings(
    environment="test", database_url=DATABASE_URL, log_level="CRITICAL", log_json=False, rate_limits_enabled=False
)

app = create_app(APP_SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def coordinator_headers() -> Iterator[dict[str, str]]:
    """Migrate and load the demo exactly as `make run` does, then log in as its first coordinator; the
    database's folder is removed afterwards."""
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL}
    for command in (["-m", "alembic", "upgrade", "head"], ["-m", "app.demo"]):
        subprocess.run([sys.executable, *command], cwd=ROOT, env=environment, check=True, capture_output=True)
    with sqlite3.connect(DATABASE_FILE) as connection:
        (user_id,) = connection.execute(
            "SELECT id FROM user_account WHERE email = 'mai@demo.teikei.example'"
        ).fetchone()
    token = security.issue_access_token(
        UUID(user_id), secret=APP_SETTINGS.jwt_secret.get_secret_value(), lifetime=timedelta(hours=1)
    )
    yield {"Authorization": f"Bearer {token}"}
    shutil.rmtree(DATABASE_FILE.parent, ignore_errors=True)


# One worker runs them all under pytest-xdist (`--dist loadgroup`), so the demo database is built once.
@pytest.mark.xdist_group("schemathesis")
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_documented_promises(case: schemathesis.Case, coordinator_headers) -> None:
    # Schema-valid input may still break a domain rule (a full group, a reserved email domain),
    # so a 4xx for valid data is no failure here; the domain tests cover those refusals.
    case.call_and_validate(
        headers={**coordinator_headers, **dict(case.headers or {})},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
