"""Statement imports, lines and mappings as the API shows them."""

from collections.abc import Mapping, Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.collection.models import PayerKind
from app.core import money
from app.statements import repository
from app.statements.models import (
    ConfirmedAs,
    CsvMapping,
    StatementImport,
    StatementLine,
)
from app.statements.schemas import (
    CsvMappingRead,
    Payee,
    PayerRead,
    StatementImportRead,
    StatementLineRead,
    SuggestionRead,
)

# Representations


async def line_reads(session: AsyncSession, lines: Sequence[StatementLine]) -> list[StatementLineRead]:
    """The lines with their payers' names, two queries for any number of lines."""
    households = await repository.household_names(
        session, sorted({line.payer_id for line in lines if line.payer_kind == PayerKind.household and line.payer_id})
    )
    groups = await repository.group_names(
        session,
        sorted({line.payer_id for line in lines if line.payer_kind == PayerKind.consumer_group and line.payer_id}),
    )
    names = households | groups
    return [_line_read(line, names) for line in lines]


def _line_read(line: StatementLine, names: Mapping[UUID, str]) -> StatementLineRead:
    payer = None
    if line.payer_kind is not None and line.payer_id is not None and line.agreement_id is not None:
        payer = PayerRead(
            agreement_id=line.agreement_id,
            payer_kind=line.payer_kind,
            payer_id=line.payer_id,
            payer_name=names.get(line.payer_id, ""),
        )
    return StatementLineRead(
        id=line.id,
        import_id=line.import_id,
        position=line.position,
        booked_on=line.booked_on,
        amount=money.to_text(line.amount_minor, line.currency),
        currency=line.currency,
        payer_name=line.payer_name,
        description=line.description,
        bank_transaction_id=line.bank_transaction_id,
        status=line.status,
        reference=line.reference,
        payer=payer,
        credited_household_id=line.payer_id if line.confirmed_as == ConfirmedAs.credit else None,
        suggestions=[SuggestionRead.model_validate(suggestion) for suggestion in line.suggestions],
        confirmed_as=line.confirmed_as,
        ledger_transaction_id=line.ledger_transaction_id,
        credit_transaction_id=line.credit_transaction_id,
        dismissal_reason=line.dismissal_reason,
        decided_by=line.decided_by,
        decided_at=line.decided_at,
        created_at=line.created_at,
    )


def import_read(statement_import: StatementImport) -> StatementImportRead:
    return StatementImportRead.model_validate(
        {
            **{column: getattr(statement_import, column) for column in IMPORT_FIELDS},
            "payee": Payee(kind=statement_import.payee_kind, id=statement_import.payee_id),
        }
    )


IMPORT_FIELDS = (
    "id",
    "format",
    "file_name",
    "sha256",
    "lines_read",
    "credits",
    "debits",
    "duplicates",
    "matched",
    "suggested",
    "unmatched",
    "uploaded_by",
    "created_at",
)


def mapping_read(saved: CsvMapping) -> CsvMappingRead:
    return CsvMappingRead.model_validate(
        {
            **saved.mapping,
            "payee_kind": saved.payee_kind,
            "payee_id": saved.payee_id,
            "updated_by": saved.updated_by,
            "updated_at": saved.updated_at,
        }
    )
