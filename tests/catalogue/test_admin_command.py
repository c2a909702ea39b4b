"""`python -m app.accounts.admin grant EMAIL`: the only way to make an administrator (who records rates)."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from alembic import command

from app.accounts import admin
from app.core.config import Settings
from tests.conftest import alembic_config
from tests.factories import PASSWORD_HASH


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite file of its own: the command commits, which the shared test database must not see."""
    path = tmp_path / "admin.db"
    url = f"sqlite+aiosqlite:///{path}"
    command.upgrade(alembic_config(url=url), "head")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO user_account (id, email, display_name, password_hash, created_at) "
            "VALUES ('0123456789abcdef0123456789abcdef', 'ploy@example.org', 'Ploy', ?, '2027-01-01 00:00:00')",
            (PASSWORD_HASH,),
        )
    monkeypatch.setattr(admin, "get_settings", lambda: Settings(environment="test", database_url=url))
    return path


def is_admin(path: Path) -> bool:
    with sqlite3.connect(path) as connection:
        (value,) = connection.execute("SELECT is_admin FROM user_account").fetchone()
    return bool(value)


def test_a_new_account_is_no_administrator(database: Path) -> None:
    assert is_admin(database) is False


def test_grant_and_revoke_set_the_role_by_email(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    granted = admin.main(["grant", " Ploy@Example.org "])
    after_grant = is_admin(database)
    revoked = admin.main(["revoke", "ploy@example.org"])

    assert (granted, after_grant, revoked, is_admin(database)) == (0, True, 0, False)
    assert capsys.readouterr().out.splitlines() == [
        "ploy@example.org is now an administrator.",
        "ploy@example.org is no longer an administrator.",
    ]


def test_an_unknown_email_changes_nothing(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = admin.main(["grant", "nobody@example.org"])

    assert code == 1
    assert capsys.readouterr().err == "No account with the email nobody@example.org.\n"
    assert is_admin(database) is False


def test_set_admin_reports_whether_the_account_exists(database: Path) -> None:
    url = f"sqlite+aiosqlite:///{database}"

    assert asyncio.run(admin.set_admin(url, "ploy@example.org", is_admin=True)) is True
    assert asyncio.run(admin.set_admin(url, "nobody@example.org", is_admin=True)) is False
