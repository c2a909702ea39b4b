"""Rebuilding a table that others reference, on SQLite, without losing a row: for migrations that
change such a table in batch mode. Shared by migrations, so keep its behaviour as it is."""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op


@contextmanager
def rebuilding_referenced_table() -> Iterator[None]:
    """SQLite changes a table in batch mode: it copies it, drops the old one and renames the copy. With
    foreign keys enforced, that DROP TABLE first deletes every row, which would cascade to the rows that
    reference it (a group's memberships, coordinator terms, stations) and fails on those that may not
    go (the agreements naming a group). So, as SQLite's own procedure for such changes has it,
    enforcement is off while the table is rebuilt, and the rebuild must leave no reference dangling.
    The pragma only takes effect between transactions: the migrations before this one are committed
    first, this one runs in a transaction of its own."""
    if op.get_context().dialect.name != "sqlite":
        yield
        return
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys=OFF")
    op.execute("BEGIN IMMEDIATE")
    yield
    if not op.get_context().as_sql:
        dangling = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"The rebuilt table leaves references dangling: {dangling}")
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys=ON")
    op.execute("BEGIN IMMEDIATE")
