"""Bank statements: a treasurer uploads one (`uploads`), every credit line is matched to a payer or waits
in the queue, and confirming a line records the payment in the ledger once (`decisions`)."""

from app.statements.service.decisions import confirm_line, confirm_matched, dismiss_line, undo_dismissal
from app.statements.service.representations import import_read, line_reads, mapping_read
from app.statements.service.uploads import (
    get_import,
    get_line,
    get_mapping,
    import_statement,
    list_imports,
    list_lines,
    save_mapping,
)

__all__ = [
    "confirm_line",
    "confirm_matched",
    "dismiss_line",
    "get_import",
    "get_line",
    "get_mapping",
    "import_read",
    "import_statement",
    "line_reads",
    "list_imports",
    "list_lines",
    "mapping_read",
    "save_mapping",
    "undo_dismissal",
]
