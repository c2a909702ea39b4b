"""Statement files filled in for a season, references made for its payers, and uploads."""

from pathlib import Path
from string import Template
from typing import Any
from uuid import UUID

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.collection import references
from app.collection.models import PayerKind, PaymentReference
from app.core import money
from app.ledger.models import LedgerTransaction
from app.statements.models import StatementLine
from tests.harvests.builders import Season

FILES = Path(__file__).parent / "files"
CSV_MAPPING: dict[str, Any] = {
    "delimiter": ";",
    "decimal_separator": ",",
    "skip_rows": 1,
    "date_column": "Date",
    "date_format": "DD/MM/YYYY",
    "credit_column": "Deposit",
    "debit_column": "Withdrawal",
    "currency": "THB",
    "payer_name_column": "Payer",
    "description_column": "Description",
    "bank_id_column": "Transaction id",
}


def statement(name: str, **values: object) -> bytes:
    return Template((FILES / name).read_text()).substitute({key: str(value) for key, value in values.items()}).encode()


def due_text(season: Season, index: int, *, comma: bool = False) -> str:
    text = money.to_text(season.subscriptions[index].amount_due_minor, "THB")
    return text.replace(".", ",") if comma else text


async def give_reference(session: AsyncSession, agreement_id: UUID, payer_kind: PayerKind, payer_id: UUID) -> str:
    made = PaymentReference(
        reference=references.new_reference(), agreement_id=agreement_id, payer_kind=payer_kind, payer_id=payer_id
    )
    session.add(made)
    await session.flush()
    return made.reference


def imports_path(season: Season, *, producer: bool = False) -> str:
    if producer:
        return f"/v1/producer-groups/{season.producer_group.id}/statement-imports"
    return f"/v1/consumer-groups/{season.consumer_group.id}/statement-imports"


def lines_path(season: Season, *, producer: bool = False) -> str:
    return imports_path(season, producer=producer).replace("statement-imports", "statement-lines")


async def upload(
    client: AsyncClient,
    season: Season,
    content: bytes,
    content_type: str = "application/xml",
    *,
    producer: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    caller = season.producer if producer else season.headers(season.consumer_coordinator)
    return await client.post(
        imports_path(season, producer=producer),
        content=content,
        headers={**(headers if headers is not None else caller), "Content-Type": content_type},
        params={"file_name": "statement"},
    )


async def lines_of(
    client: AsyncClient, season: Season, *, producer: bool = False, **params: str
) -> list[dict[str, Any]]:
    caller = season.producer if producer else season.headers(season.consumer_coordinator)
    response = await client.get(lines_path(season, producer=producer), params=params | {"limit": "100"}, headers=caller)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def stored_lines(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(StatementLine)) or 0)


async def transactions_of(session: AsyncSession, agreement_id: UUID, kind: str) -> int:
    statement = select(func.count()).where(
        LedgerTransaction.agreement_id == agreement_id, LedgerTransaction.kind == kind
    )
    return int(await session.scalar(statement.select_from(LedgerTransaction)) or 0)
