"""Reading each format into lines, and refusing a malformed file at its line and field. No database."""

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from app.statements import parsing
from app.statements.errors import StatementMalformed
from app.statements.models import StatementFormat
from app.statements.schemas import CsvMappingWrite
from tests.statements.builders import CSV_MAPPING, statement

REFERENCE = "TK0000000000"  # shape only: parsing does not check references


def camt(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "amount_0": "1365.00",
        "reference_0": REFERENCE,
        "amount_1": "1365.00",
        "amount_foreign": "500.00",
        "reference_foreign": "none",
    }
    return statement("camt053.xml", **(values | overrides))


def test_camt053_reads_credits_and_debits_with_their_lines_names_and_notes() -> None:
    lines = parsing.parse(camt(), StatementFormat.camt053, None)

    assert [(line.position, line.amount_minor, line.booked_on) for line in lines] == [
        (21, 136_500, date(2026, 11, 2)),
        (37, 136_500, date(2026, 11, 2)),
        (50, 50_000, date(2026, 11, 3)),
        (63, 1_234, date(2026, 11, 3)),
        (71, -3_500, date(2026, 11, 3)),
    ]
    first = lines[0]
    assert (first.currency, first.payer_name, first.description, first.bank_transaction_id) == (
        "THB",
        "ARAYA SRISUK",
        f"Rice shares {REFERENCE}",
        "KB2611020001",
    )
    assert lines[3].description == "INTEREST NOV 2026"


def test_mt940_reads_each_statement_line_with_its_information() -> None:
    content = statement("mt940.sta", amount_0="1365,00", reference_0=REFERENCE, closing="11342,34")

    lines = parsing.parse(content, StatementFormat.mt940, None)

    assert [(line.position, line.amount_minor, line.currency, line.booked_on) for line in lines] == [
        (5, 136_500, "THB", date(2026, 11, 2)),
        (7, -3_500, "THB", date(2026, 11, 3)),
        (9, 1_234, "THB", date(2026, 11, 3)),
    ]
    assert lines[0].description == f"TRANSFER FROM ARAYA SRISUK {REFERENCE}"
    assert lines[0].bank_transaction_id == "KB2611020001"


def test_csv_reads_by_the_saved_mapping() -> None:
    content = statement("bank.csv", amount_0="1.365,00", reference_0=REFERENCE)

    lines = parsing.parse(content, StatementFormat.csv, CsvMappingWrite.model_validate(CSV_MAPPING))

    assert [(line.position, line.amount_minor, line.booked_on, line.payer_name) for line in lines] == [
        (3, 136_500, date(2026, 11, 2), "ARAYA SRISUK"),
        (4, -3_500, date(2026, 11, 3), None),
        (5, 1_234, date(2026, 11, 3), None),
    ]
    assert lines[2].description == "Interest; November"


def test_csv_with_one_signed_amount_column_and_a_currency_column() -> None:
    mapping = CsvMappingWrite(
        date_column="date", amount_column="amount", currency_column="ccy", description_column="note"
    )
    content = b"date,amount,ccy,note\n2026-11-02,1365.00,THB,hello\n2026-11-02,-20,VND,fee\n"

    lines = parsing.parse(content, StatementFormat.csv, mapping)

    assert [(line.amount_minor, line.currency) for line in lines] == [(136_500, "THB"), (-20, "VND")]


def malformed(
    content: bytes, statement_format: StatementFormat, mapping: dict[str, Any] | None = None
) -> tuple[int, str]:
    with pytest.raises(StatementMalformed) as raised:
        parsing.parse(content, statement_format, CsvMappingWrite.model_validate(mapping) if mapping else None)
    return raised.value.extensions["line"], raised.value.extensions["field"]


@pytest.mark.parametrize(
    ("_case", "content", "at"),
    [
        ("an amount that is no number", camt(amount_1="12x"), (38, "Amt")),
        ("more decimals than the baht has", camt(amount_1="1.005"), (38, "Amt")),
        ("a currency that does not exist", camt().replace(b'Ccy="THB">500.00', b'Ccy="XYZ">500.00'), (51, "Amt/@Ccy")),
        (
            "neither credit nor debit",
            camt().replace(
                b"<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>BOOK</Sts>\n        <BookgDt><Dt>2026-11-03",
                b"<CdtDbtInd>XX</CdtDbtInd>\n        <Sts>BOOK</Sts>\n        <BookgDt><Dt>2026-11-03",
                1,
            ),
            (50, "CdtDbtInd"),
        ),
        (
            "a date that is no date",
            camt().replace(
                b"<BookgDt><Dt>2026-11-02</Dt></BookgDt>\n        <AcctSvcrRef>KB2611020002",
                b"<BookgDt><Dt>2026-13-02</Dt></BookgDt>\n        <AcctSvcrRef>KB2611020002",
            ),
            (41, "BookgDt/Dt"),
        ),
        ("XML cut short", camt()[:-40], (79, "xml")),
        ("an entity declaration", b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "b">]>\n<Document/>', (1, "xml")),
        ("another XML document", b"<?xml version='1.0'?>\n<rss/>", (2, "Document")),
    ],
)
def test_a_malformed_camt053_is_refused_at_its_line_and_field(_case: str, content: bytes, at: tuple[int, str]) -> None:
    assert malformed(content, StatementFormat.camt053) == at


@pytest.mark.parametrize(
    ("_case", "content", "at"),
    [
        ("an amount without its comma", b":20:X\n:25:A/1\n:60F:C261101THB0,00\n:61:261102C1365NTRF\n-", (4, ":61:")),
        ("no credit or debit mark", b":20:X\n:25:A/1\n:60F:C261101THB0,00\n:61:261102X5,00NTRF\n-", (4, ":61:")),
        (
            "a value date that is no date",
            b":20:X\n:25:A/1\n:60F:C261101THB0,00\n:61:261302C5,00NTRFNONREF\n-",
            (4, ":61:"),
        ),
        ("no :20: at all", b"hello\nworld\n", (1, ":20:")),
    ],
)
def test_a_malformed_mt940_is_refused_at_its_line_and_field(_case: str, content: bytes, at: tuple[int, str]) -> None:
    assert malformed(content, StatementFormat.mt940) == at


@pytest.mark.parametrize(
    ("_case", "content", "at"),
    [
        (
            "a date in another format",
            b"x\nDate;Description;Payer;Withdrawal;Deposit;Transaction id\n2026-11-02;a;b;;1,00;c\n",
            (3, "date_column"),
        ),
        (
            "an amount that is no number",
            b"x\nDate;Description;Payer;Withdrawal;Deposit;Transaction id\n02/11/2026;a;b;;1,0a;c\n",
            (3, "credit_column"),
        ),
        ("a missing column", b"x\nDate;Description;Withdrawal;Deposit;Transaction id\n", (2, "payer_name_column")),
        (
            "a short row",
            b"x\nDate;Description;Payer;Withdrawal;Deposit;Transaction id\n\n02/11/2026;a\n",
            (4, "credit_column"),
        ),
        (
            "neither deposit nor withdrawal",
            b"x\nDate;Description;Payer;Withdrawal;Deposit;Transaction id\n02/11/2026;a;b;;;c\n",
            (3, "credit_column"),
        ),
        (
            "not UTF-8",
            b"x\nDate;Description;Payer;Withdrawal;Deposit;Transaction id\n02/11/2026;\xe9t\xe9;b;;1,00;c\n",
            (3, "encoding"),
        ),
    ],
)
def test_a_malformed_csv_is_refused_at_its_line_and_field(_case: str, content: bytes, at: tuple[int, str]) -> None:
    assert malformed(content, StatementFormat.csv, CSV_MAPPING) == at


@pytest.mark.parametrize(
    ("_case", "changes"),
    [
        ("no amount column", {"credit_column": None, "debit_column": None}),
        ("both kinds of amount", {"amount_column": "Amount"}),
        ("no currency", {"currency": None}),
        ("two currencies", {"currency_column": "Currency"}),
        ("an unknown date format", {"date_format": "D/M/Y"}),
    ],
)
def test_a_mapping_that_cannot_read_a_file_is_refused(_case: str, changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CsvMappingWrite.model_validate(CSV_MAPPING | changes)
