"""Reading a bank statement file into its transaction lines: CSV by the group's saved mapping, ISO 20022
camt.053 and SWIFT MT940. Pure functions, no database. A file that cannot be read is refused whole, with
the line and field at fault, so a treasurer can look it up in the file (StatementMalformed)."""

import csv
import io
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import defusedxml.ElementTree as DefusedElementTree  # type: ignore[import-untyped]
import mt940
from defusedxml import DefusedXmlException

from app.core import money
from app.statements.errors import StatementMalformed
from app.statements.models import StatementFormat
from app.statements.schemas import DATE_FORMATS, CsvMappingWrite


@dataclass(frozen=True)
class ParsedLine:
    position: int  # the file's line the transaction starts on, from 1
    booked_on: date
    amount_minor: int  # positive: money in; negative: money out
    currency: str
    payer_name: str | None
    description: str | None
    bank_transaction_id: str | None

    @property
    def is_credit(self) -> bool:
        return self.amount_minor > 0


def parse(content: bytes, statement_format: StatementFormat, mapping: CsvMappingWrite | None) -> list[ParsedLine]:
    text = _decoded(content)
    if statement_format == StatementFormat.csv:
        assert mapping is not None
        return parse_csv(text, mapping)
    if statement_format == StatementFormat.camt053:
        return parse_camt053(content)
    return parse_mt940(text)


def _decoded(content: bytes) -> str:
    """UTF-8 (a byte-order mark allowed); a file in another encoding is refused at its first bad byte."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise StatementMalformed(
            "the file is not UTF-8 text; export it as UTF-8.", line=line, field="encoding"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise StatementMalformed("the file holds a NUL character.", line=line, field="encoding")
    return text


def _amount(text: str, currency: str, *, decimal_separator: str = ".", line: int, field: str) -> int:
    """Decimal text in the currency's minor unit; thousands separators and spaces are dropped."""
    thousands = "," if decimal_separator == "." else "."
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(thousands, "")
    negative = cleaned.startswith("-") or cleaned.endswith("-")
    cleaned = cleaned.strip("+-").replace(decimal_separator, ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise StatementMalformed(f"'{text}' is not an amount.", line=line, field=field) from None
    if not value.is_finite():
        raise StatementMalformed(f"'{text}' is not an amount.", line=line, field=field)
    try:
        minor = money.to_minor(str(value), currency)
    except money.InvalidAmount as error:
        raise StatementMalformed(error.detail, line=line, field=field) from None
    return -minor if negative else minor


def _currency(text: str, *, line: int, field: str) -> str:
    code = text.strip().upper()
    try:
        money.minor_unit_exponent(code)
    except money.InvalidAmount:
        raise StatementMalformed(f"'{text}' is not an ISO 4217 currency.", line=line, field=field) from None
    return code


def _clipped(text: str | None, length: int) -> str | None:
    text = " ".join((text or "").split())
    return text[:length] or None


# CSV


def parse_csv(text: str, mapping: CsvMappingWrite) -> list[ParsedLine]:
    rows = _csv_rows(text, mapping.delimiter)
    for _ in range(mapping.skip_rows):
        next(rows, None)
    header_line, header = next(rows, (mapping.skip_rows + 1, []))
    columns = {name.strip(): index for index, name in enumerate(header)}
    for field, name in mapping.columns().items():
        if name not in columns:
            raise StatementMalformed(f"no column '{name}' in the header.", line=header_line, field=field)
    lines = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank lines, such as the one a spreadsheet leaves at the end
        lines.append(_csv_line(line, row, columns, mapping))
    return lines


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise StatementMalformed(str(error), line=reader.line_num, field="csv") from None
        yield start, row
        start = reader.line_num + 1


def _csv_line(line: int, row: list[str], columns: dict[str, int], mapping: CsvMappingWrite) -> ParsedLine:
    def cell(field: str) -> str:
        name = mapping.columns()[field]
        index = columns[name]
        if index >= len(row):
            raise StatementMalformed(f"the row has no '{name}' column.", line=line, field=field)
        return row[index]

    currency = (
        _currency(cell("currency_column"), line=line, field="currency_column")
        if mapping.currency_column
        else mapping.currency
    )
    assert currency is not None
    amount = _csv_amount(line, cell, mapping, currency)
    return ParsedLine(
        position=line,
        booked_on=_csv_date(cell("date_column"), mapping, line),
        amount_minor=amount,
        currency=currency,
        payer_name=_clipped(cell("payer_name_column"), 200) if mapping.payer_name_column else None,
        description=_clipped(cell("description_column"), 1000),
        bank_transaction_id=_clipped(cell("bank_id_column"), 100) if mapping.bank_id_column else None,
    )


def _csv_amount(line: int, cell: Callable[[str], str], mapping: CsvMappingWrite, currency: str) -> int:
    separator = mapping.decimal_separator
    if mapping.amount_column:
        return _amount(cell("amount_column"), currency, decimal_separator=separator, line=line, field="amount_column")
    credit = cell("credit_column").strip() if mapping.credit_column else ""
    debit = cell("debit_column").strip() if mapping.debit_column else ""
    if credit:
        return abs(_amount(credit, currency, decimal_separator=separator, line=line, field="credit_column"))
    if debit:
        return -abs(_amount(debit, currency, decimal_separator=separator, line=line, field="debit_column"))
    raise StatementMalformed("neither a credit nor a debit amount.", line=line, field="credit_column")


def _csv_date(text: str, mapping: CsvMappingWrite, line: int) -> date:
    try:
        return datetime.strptime(text.strip(), DATE_FORMATS[mapping.date_format]).date()
    except ValueError:
        raise StatementMalformed(
            f"'{text}' is not a date written {mapping.date_format}.", line=line, field="date_column"
        ) from None


# ISO 20022 camt.053


class _LineNumbers(ElementTree.TreeBuilder):
    """Remembers the line each element starts on: ElementTree itself keeps none."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ElementTree.Element, int] = {}
        self.parser: DefusedElementTree.DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ElementTree.Element:
        element = super().start(tag, attrs)
        assert self.parser is not None
        self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def parse_camt053(content: bytes) -> list[ParsedLine]:
    """Every entry (Ntry) of every statement (Stmt), any version of camt.053: elements are found by their
    local names. Entity declarations are refused (defusedxml): they are how XML bombs are built."""
    builder = _LineNumbers()
    parser = DefusedElementTree.DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(content)
        root = parser.close()
    except ElementTree.ParseError as error:
        line, _ = error.position
        raise StatementMalformed(f"not well-formed XML ({error.msg}).", line=line, field="xml") from None
    except DefusedXmlException:
        raise StatementMalformed("entity and DTD declarations are not accepted.", line=1, field="xml") from None
    for element in root.iter():
        element.tag = _local(element.tag)  # any version of camt.053: names without their namespace
    statements = root.find("BkToCstmrStmt")
    if root.tag != "Document" or statements is None:
        raise StatementMalformed(
            "not a camt.053 Document with BkToCstmrStmt.", line=builder.lines[root], field="Document"
        )
    return [_camt_entry(entry, builder.lines) for entry in statements.iterfind("Stmt/Ntry")]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ElementTree.Element | None, path: str) -> str | None:
    found = None if element is None else element.findtext(path)
    return None if found is None else found.strip() or None


def _camt_entry(entry: ElementTree.Element, lines: dict[ElementTree.Element, int]) -> ParsedLine:
    line = lines[entry]
    amount_element = entry.find("Amt")
    if amount_element is None or not (amount_element.text or "").strip():
        raise StatementMalformed("the entry has no amount.", line=line, field="Amt")
    amount_line = lines[amount_element]
    currency = _currency(amount_element.get("Ccy", ""), line=amount_line, field="Amt/@Ccy")
    amount = _amount(amount_element.text or "", currency, line=amount_line, field="Amt")
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementMalformed(f"'{indicator}' is neither CRDT nor DBIT.", line=line, field="CdtDbtInd")
    details = entry.find("NtryDtls/TxDtls")
    return ParsedLine(
        position=line,
        booked_on=_camt_date(entry, lines),
        amount_minor=abs(amount) if indicator == "CRDT" else -abs(amount),
        currency=currency,
        payer_name=_clipped(_text(details, "RltdPties/Dbtr/Nm") or _text(details, "RltdPties/Dbtr/Pty/Nm"), 200),
        description=_clipped(_camt_remittance(entry, details), 1000),
        bank_transaction_id=_clipped(
            _text(entry, "AcctSvcrRef") or _text(details, "Refs/AcctSvcrRef") or _text(entry, "NtryRef"), 100
        ),
    )


def _camt_date(entry: ElementTree.Element, lines: dict[ElementTree.Element, int]) -> date:
    booked = entry.find("BookgDt")
    if booked is None:
        booked = entry.find("ValDt")
    if booked is None:
        raise StatementMalformed("the entry has no booking date.", line=lines[entry], field="BookgDt")
    text = _text(booked, "Dt") or (_text(booked, "DtTm") or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StatementMalformed(
            f"'{text}' is not a date (YYYY-MM-DD).", line=lines[booked], field="BookgDt/Dt"
        ) from None


def _camt_remittance(entry: ElementTree.Element, details: ElementTree.Element | None) -> str | None:
    """Where a payer's note lands: unstructured remittance, a structured creditor reference, the end-to-end
    id, or the entry's additional information."""
    parts = [
        *(element.text or "" for element in (details.iterfind("RmtInf/Ustrd") if details is not None else ())),
        _text(details, "RmtInf/Strd/CdtrRefInf/Ref") or "",
        _text(details, "Refs/EndToEndId") or "",
        _text(details, "AddtlTxInf") or "",
        _text(entry, "AddtlNtryInf") or "",
    ]
    return " ".join(part.strip() for part in parts if part.strip() and part.strip() != "NOTPROVIDED") or None


# SWIFT MT940

# :61: value date YYMMDD, optional entry date MMDD, [R]C or [R]D, optional funds code, amount with a comma.
STATEMENT_LINE = re.compile(r"^:61:(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d+,\d*)")


def parse_mt940(text: str) -> list[ParsedLine]:
    """The :61: lines with the :86: information that follows each. The mt940 package is lenient (it reads
    a bad amount as nothing), so every :61: line is checked here first, to refuse it at its line."""
    raw_lines = text.splitlines()
    positions = []
    for number, raw in enumerate(raw_lines, start=1):
        if raw.startswith(":61:"):
            if not STATEMENT_LINE.match(raw):
                raise StatementMalformed(
                    "not a statement line (:61: date, C or D, amount with a decimal comma).", line=number, field=":61:"
                )
            positions.append(number)
    if not any(raw.startswith(":20:") for raw in raw_lines):
        raise StatementMalformed("no :20: transaction reference: not an MT940 statement.", line=1, field=":20:")
    transactions = mt940.models.Transactions()
    try:
        transactions.parse(text)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise StatementMalformed(
            f"the statement cannot be read ({error}).", line=positions[0] if positions else 1, field=":61:"
        ) from None
    parsed = list(transactions)
    if len(parsed) != len(positions):
        raise StatementMalformed("a :61: line could not be read.", line=positions[0] if positions else 1, field=":61:")
    return [_mt940_line(transaction.data, position) for transaction, position in zip(parsed, positions, strict=True)]


def _mt940_line(data: dict[str, object], position: int) -> ParsedLine:
    amount = data.get("amount")
    currency = getattr(amount, "currency", None) or data.get("currency")
    if not isinstance(currency, str):
        raise StatementMalformed(
            "no currency: the statement needs an opening balance (:60F:).", line=position, field=":60F:"
        )
    currency = _currency(currency, line=position, field=":60F:")
    value = getattr(amount, "amount", None)
    if not isinstance(value, Decimal):
        raise StatementMalformed("no amount.", line=position, field=":61:")
    minor = _amount(str(value), currency, line=position, field=":61:")
    booked = data.get("date")
    if not isinstance(booked, date):
        raise StatementMalformed("no value date.", line=position, field=":61:")
    details = data.get("transaction_details")
    bank_reference = data.get("bank_reference")
    customer_reference = data.get("customer_reference")
    return ParsedLine(
        position=position,
        booked_on=date(booked.year, booked.month, booked.day),
        amount_minor=minor,
        currency=currency,
        payer_name=None,
        description=_clipped(
            " ".join(str(part) for part in (details, customer_reference) if part and part != "NONREF"), 1000
        ),
        bank_transaction_id=_clipped(str(bank_reference), 100) if bank_reference else None,
    )
