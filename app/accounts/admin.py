"""Grant or revoke the administrator role, which records exchange rates. There is no API for it on purpose:
only someone with access to the server and its DATABASE_URL can make an administrator.

    python -m app.accounts.admin grant EMAIL
    python -m app.accounts.admin revoke EMAIL
"""

import argparse
import asyncio
import sys

from sqlalchemy import update

from app.accounts.models import User
from app.core.config import get_settings
from app.core.db import create_engine, create_session_factory


async def set_admin(database_url: str, email: str, *, is_admin: bool) -> bool:
    """Whether an account with this (lower-case) email exists; it now has the role as asked."""
    engine = create_engine(database_url, pool=False)
    try:
        async with create_session_factory(engine).begin() as session:
            result = await session.execute(update(User).where(User.email == email).values(is_admin=is_admin))
            return bool(result.rowcount)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.accounts.admin", description="Grant or revoke the administrator role."
    )
    parser.add_argument("action", choices=["grant", "revoke"])
    parser.add_argument("email")
    arguments = parser.parse_args(argv)
    email = arguments.email.strip().lower()  # emails are stored lower-case
    found = asyncio.run(set_admin(get_settings().database_url, email, is_admin=arguments.action == "grant"))
    if not found:
        print(f"No account with the email {email}.", file=sys.stderr)
        return 1
    verb = "is now" if arguments.action == "grant" else "is no longer"
    print(f"{email} {verb} an administrator.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
