"""Browse and search the catalogue: full text, filters, sorts and keyset cursors over listed products."""
