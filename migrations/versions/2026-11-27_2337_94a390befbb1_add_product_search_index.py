"""add product search index

Full-text search over the names and descriptions of listed products, and the B-tree indexes that the
price sorts and the category and country filters walk. None of it is in the ORM models (app/catalogue/search/index.py names it, and env.py keeps
autogenerate off it).

- SQLite: `product_fts`, a contentless FTS5 table keyed by product.rowid (VACUUM keeps rowids; a batch
  migration that recreates `product` renumbers them and drops these triggers, so it must recreate
  both and refill the table). Triggers index a product while it is listed: insert, delete, and an
  update of its name, description or status. Diacritics are kept, as PostgreSQL's 'simple' does.
- PostgreSQL: `product.search_vector`, generated from the name (weight A) and the description
  (weight B) with the 'simple' configuration: no stemming and no stop words, since English rules
  would mangle Thai, Vietnamese and Bahasa words. NULL while the product is not listed. GIN index.

Revision ID: 94a390befbb1
Revises: d9eb7123b521
Create Date: 2026-11-27 23:37:15.975489
"""

from collections.abc import Sequence

from alembic import op

revision: str = "94a390befbb1"
down_revision: str | None = "d9eb7123b521"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE product_fts USING fts5(
        name, description, content='', tokenize='unicode61 remove_diacritics 0'
    )
    """,
    # A contentless table forgets what it indexed: a delete must repeat the indexed values (old.*).
    """
    CREATE TRIGGER product_fts_after_insert AFTER INSERT ON product WHEN new.status = 'listed'
    BEGIN
        INSERT INTO product_fts (rowid, name, description) VALUES (new.rowid, new.name, new.description);
    END
    """,
    """
    CREATE TRIGGER product_fts_after_delete AFTER DELETE ON product WHEN old.status = 'listed'
    BEGIN
        INSERT INTO product_fts (product_fts, rowid, name, description)
        VALUES ('delete', old.rowid, old.name, old.description);
    END
    """,
    """
    CREATE TRIGGER product_fts_after_update AFTER UPDATE OF name, description, status ON product
    BEGIN
        INSERT INTO product_fts (product_fts, rowid, name, description)
        SELECT 'delete', old.rowid, old.name, old.description WHERE old.status = 'listed';
        INSERT INTO product_fts (rowid, name, description)
        SELECT new.rowid, new.name, new.description WHERE new.status = 'listed';
    END
    """,
    "INSERT INTO product_fts (rowid, name, description) SELECT rowid, name, description FROM product "
    "WHERE status = 'listed'",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER product_fts_after_update",
    "DROP TRIGGER product_fts_after_delete",
    "DROP TRIGGER product_fts_after_insert",
    "DROP TABLE product_fts",
)
POSTGRESQL_UPGRADE = (
    """
    ALTER TABLE product ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        CASE WHEN status = 'listed' THEN
            setweight(to_tsvector('simple'::regconfig, name), 'A')
            || setweight(to_tsvector('simple'::regconfig, description), 'B')
        END
    ) STORED
    """,
    "CREATE INDEX ix_product_search_vector ON product USING gin (search_vector)",
)
POSTGRESQL_DOWNGRADE = (
    "DROP INDEX ix_product_search_vector",
    "ALTER TABLE product DROP COLUMN search_vector",
)


def upgrade() -> None:
    statements = POSTGRESQL_UPGRADE if op.get_bind().dialect.name == "postgresql" else SQLITE_UPGRADE
    for statement in statements:
        op.execute(statement)
    # Each currency's listed products in price order: a price-sorted page merges these runs.
    op.create_index("ix_product_status_currency_price", "product", ["status", "currency", "price_minor", "id"])
    # Browsing a category or a country newest first reads its first page straight off an index.
    op.create_index("ix_product_status_category_created", "product", ["status", "category", "created_at", "id"])
    op.create_index("ix_product_status_country_created", "product", ["status", "origin_country", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_product_status_country_created", table_name="product")
    op.drop_index("ix_product_status_category_created", table_name="product")
    op.drop_index("ix_product_status_currency_price", table_name="product")
    statements = POSTGRESQL_DOWNGRADE if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWNGRADE
    for statement in statements:
        op.execute(statement)
