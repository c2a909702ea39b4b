"""Problems with bank statements, their lines and CSV mappings."""

from app.core.errors import Conflict, DomainError, NotFound, Unprocessable


class StatementMalformed(Unprocessable):
    """The file cannot be read; `line` and `field` say where. Nothing of it is recorded."""

    code = "statement-malformed"
    title = "The statement cannot be read"

    def __init__(self, detail: str, *, line: int, field: str) -> None:
        super().__init__(f"Line {line}, {field}: {detail}", line=line, field=field)


class StatementTooLarge(DomainError):
    status = 413
    code = "statement-too-large"
    title = "The statement file is too large"


class StatementFormatUnknown(DomainError):
    status = 415
    code = "statement-format-unknown"
    title = "The statement's format is not one this service reads"


class StatementMappingMissing(Conflict):
    code = "statement-mapping-missing"
    title = "Save the CSV column mapping first"


class StatementImportNotFound(NotFound):
    code = "statement-import-not-found"
    title = "Statement import not found"


class StatementLineNotFound(NotFound):
    code = "statement-line-not-found"
    title = "Statement line not found"


class StatementLineAlreadyDecided(Conflict):
    code = "statement-line-already-decided"
    title = "The statement line is already decided"


class StatementLinePayerNeeded(Unprocessable):
    code = "statement-line-payer-needed"
    title = "Name the payer the statement line is from"


class StatementLineNotAssignable(Unprocessable):
    code = "statement-line-not-assignable"
    title = "The statement line cannot be assigned to that payer"
