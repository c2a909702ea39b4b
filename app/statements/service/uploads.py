"""Uploading a statement: the CSV mapping it may need, reading and matching its lines, and reading what
was uploaded."""

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.collection.models import PayeeKind
from app.core.db import utc_now
from app.core.pagination import paginate
from app.core.schemas import Page
from app.statements import matching, parsing, repository
from app.statements.errors import (
    StatementImportNotFound,
    StatementLineNotFound,
    StatementMappingMissing,
)
from app.statements.models import (
    WAITING,
    CsvMapping,
    LineStatus,
    StatementFormat,
    StatementImport,
    StatementLine,
)
from app.statements.policies import is_treasurer, require_treasurer
from app.statements.schemas import (
    CsvMappingWrite,
    LineFilter,
    StatementImportRead,
    StatementLineRead,
)
from app.statements.service.representations import import_read, line_reads

# The CSV mapping


async def save_mapping(
    session: AsyncSession, principal: Principal, *, payee_kind: PayeeKind, payee_id: UUID, mapping: CsvMappingWrite
) -> CsvMapping:
    await require_treasurer(session, principal, payee_kind, payee_id, for_update=True)
    saved = await repository.get_mapping(session, payee_id)
    if saved is None:
        saved = CsvMapping(payee_kind=payee_kind, payee_id=payee_id)
        session.add(saved)
    saved.mapping = mapping.model_dump(mode="json")
    saved.updated_by = principal.user_id
    saved.updated_at = utc_now()
    await session.flush()
    return saved


async def get_mapping(
    session: AsyncSession, principal: Principal, *, payee_kind: PayeeKind, payee_id: UUID
) -> CsvMapping:
    await require_treasurer(session, principal, payee_kind, payee_id)
    saved = await repository.get_mapping(session, payee_id)
    if saved is None:
        raise StatementMappingMissing("No CSV mapping is saved for this group yet; PUT one first.")
    return saved


# Uploading


async def import_statement(
    session: AsyncSession,
    principal: Principal,
    *,
    payee_kind: PayeeKind,
    payee_id: UUID,
    content: bytes,
    statement_format: StatementFormat,
    file_name: str | None,
) -> StatementImport:
    """Read the file whole before anything is stored: a malformed file records nothing. The payee's row
    is locked, so two uploads of overlapping statements take turns and the second skips what the first
    brought (the line's fingerprint, unique per payee, backs this)."""
    await require_treasurer(session, principal, payee_kind, payee_id, for_update=True)
    mapping = await _csv_mapping(session, payee_id) if statement_format == StatementFormat.csv else None
    parsed = parsing.parse(content, statement_format, mapping)
    credits = [line for line in parsed if line.is_credit]
    fingerprinted = list(zip(credits, _fingerprints(credits), strict=True))
    known = await repository.known_fingerprints(session, payee_id, [fingerprint for _, fingerprint in fingerprinted])
    new = [(line, fingerprint) for line, fingerprint in fingerprinted if fingerprint not in known]
    matcher = await matching.Matcher.load(session, payee_kind, payee_id, [line for line, _ in new])
    matches = [(line, fingerprint, matcher.match(line)) for line, fingerprint in new]
    statuses = Counter(match.status for _, _, match in matches)
    statement_import = StatementImport(
        payee_kind=payee_kind,
        payee_id=payee_id,
        format=statement_format,
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        lines_read=len(parsed),
        credits=len(credits),
        debits=sum(1 for line in parsed if line.amount_minor < 0),
        duplicates=len(credits) - len(new),
        matched=statuses[LineStatus.matched],
        suggested=statuses[LineStatus.suggested],
        unmatched=statuses[LineStatus.unmatched],
        uploaded_by=principal.user_id,
        created_at=utc_now(),
    )
    session.add(statement_import)
    await session.flush()
    session.add_all(
        [
            _line(statement_import, index, line, fingerprint, match)
            for index, (line, fingerprint, match) in enumerate(matches)
        ]
    )
    await session.flush()
    return statement_import


async def _csv_mapping(session: AsyncSession, payee_id: UUID) -> CsvMappingWrite:
    saved = await repository.get_mapping(session, payee_id)
    if saved is None:
        raise StatementMappingMissing(
            "Save the CSV column mapping of your bank's export first (PUT .../statement-mapping), or upload "
            "camt.053 or MT940."
        )
    return CsvMappingWrite.model_validate(saved.mapping)


def _fingerprints(lines: Sequence[parsing.ParsedLine]) -> list[str]:
    """What identifies a transfer across uploads: the bank's own id when it gives one; otherwise its date,
    amount, payer and note, with how many identical transfers came before it in the file, so that two
    equal transfers on one day are two lines while the same statement uploaded again is none."""
    seen: Counter[tuple[object, ...]] = Counter()
    fingerprints = []
    for line in lines:
        if line.bank_transaction_id:
            identity: tuple[object, ...] = ("bank", line.bank_transaction_id)
        else:
            identity = (line.booked_on.isoformat(), line.amount_minor, line.currency, line.payer_name, line.description)
            seen[identity] += 1
            identity = (*identity, seen[identity])
        fingerprints.append(hashlib.sha256(repr(identity).encode()).hexdigest())
    return fingerprints


def _line(
    statement_import: StatementImport, index: int, line: parsing.ParsedLine, fingerprint: str, match: matching.Match
) -> StatementLine:
    return StatementLine(
        import_id=statement_import.id,
        payee_kind=statement_import.payee_kind,
        payee_id=statement_import.payee_id,
        position=line.position,
        fingerprint=fingerprint,
        booked_on=line.booked_on,
        amount_minor=line.amount_minor,
        currency=line.currency,
        payer_name=line.payer_name,
        description=line.description,
        bank_transaction_id=line.bank_transaction_id,
        status=match.status,
        reference=match.reference,
        agreement_id=match.agreement_id,
        payer_kind=match.payer_kind,
        payer_id=match.payer_id,
        suggestions=match.suggestions,
        # A microsecond apart, in the file's order: pages of lines read as the statement does.
        created_at=statement_import.created_at + timedelta(microseconds=index),
    )


# Reading


async def list_imports(
    session: AsyncSession,
    principal: Principal,
    *,
    payee_kind: PayeeKind,
    payee_id: UUID,
    limit: int,
    cursor: str | None,
) -> Page[StatementImportRead]:
    """The payee's uploaded statements, oldest first."""
    await require_treasurer(session, principal, payee_kind, payee_id)
    page = await paginate(
        session,
        repository.imports_of(payee_id),
        created_at=StatementImport.created_at,
        id_column=StatementImport.id,
        limit=limit,
        cursor=cursor,
    )
    return Page[StatementImportRead](
        data=[import_read(row) for row in page.rows], has_more=page.has_more, next_cursor=page.next_cursor
    )


async def get_import(session: AsyncSession, principal: Principal, *, import_id: UUID) -> StatementImport:
    statement_import = await repository.get_import(session, import_id)
    if statement_import is None or not await is_treasurer(
        session, principal, statement_import.payee_kind, statement_import.payee_id
    ):
        raise StatementImportNotFound(f"No statement import {import_id}.")
    return statement_import


async def list_lines(
    session: AsyncSession,
    principal: Principal,
    *,
    payee_kind: PayeeKind,
    payee_id: UUID,
    status: LineFilter,
    import_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[StatementLineRead]:
    """The queue (lines waiting for a decision, the default), or the lines of one status or one import."""
    await require_treasurer(session, principal, payee_kind, payee_id)
    if status == LineFilter.waiting:
        statuses: Sequence[LineStatus] = WAITING
    else:
        statuses = tuple(LineStatus) if status == LineFilter.all else (LineStatus(status.value),)
    page = await paginate(
        session,
        repository.lines_of(payee_id, statuses, import_id),
        created_at=StatementLine.created_at,
        id_column=StatementLine.id,
        limit=limit,
        cursor=cursor,
    )
    return Page[StatementLineRead](
        data=await line_reads(session, page.rows), has_more=page.has_more, next_cursor=page.next_cursor
    )


async def get_line(session: AsyncSession, principal: Principal, *, line_id: UUID) -> StatementLine:
    line = await repository.get_line(session, line_id)
    if line is None or not await is_treasurer(session, principal, line.payee_kind, line.payee_id):
        raise StatementLineNotFound(f"No statement line {line_id}.")
    return line
