"""Reading agreements: one with every version and who approved it, and the list of a partnership's seasons."""

from typing import NamedTuple
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import policies, repository
from app.agreements.models import Agreement, AgreementVersion, Side
from app.agreements.schemas import AgreementRead, AgreementSummary, ApprovalRead, VersionItemRead, VersionRead
from app.agreements.service import lifecycle
from app.core import money, quantity
from app.core.pagination import CursorPage, paginate
from app.plans.models import PlanItem


class Quorums(NamedTuple):
    """The approvals of coordinators in office each side needs to accept a version."""

    consumer: int
    producer: int


async def get_agreement(
    session: AsyncSession, principal: Principal, agreement_id: UUID
) -> tuple[Agreement, Quorums, dict[UUID, PlanItem]]:
    await policies.readable_agreement(session, principal, agreement_id)
    agreement = await repository.get_with_versions(session, agreement_id)
    assert agreement is not None
    quorums = Quorums(
        consumer=await policies.side_quorum(session, agreement, Side.consumer),
        producer=await policies.side_quorum(session, agreement, Side.producer),
    )
    items = await repository.plan_items(
        session, sorted({item.plan_item_id for version in agreement.versions for item in version.items})
    )
    return agreement, quorums, items


async def list_agreements(
    session: AsyncSession,
    principal: Principal,
    *,
    consumer_group_id: UUID | None,
    producer_group_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> CursorPage:
    """The partnership's history across seasons: agreements of the caller's groups, oldest first."""
    statement = policies.readable_agreements(principal)
    if consumer_group_id:
        statement = statement.where(Agreement.consumer_group_id == consumer_group_id)
    if producer_group_id:
        statement = statement.where(Agreement.producer_group_id == producer_group_id)
    return await paginate(
        session, statement, created_at=Agreement.created_at, id_column=Agreement.id, limit=limit, cursor=cursor
    )


def agreement_summary(agreement: Agreement) -> AgreementSummary:
    return AgreementSummary(
        id=agreement.id,
        production_plan_id=agreement.production_plan_id,
        consumer_group_id=agreement.consumer_group_id,
        producer_group_id=agreement.producer_group_id,
        status=lifecycle.effective_status(agreement),
        version=agreement.current_version,
        agreed_version=agreement.agreed_version,
        renewed_from_id=agreement.renewed_from_id,
        created_at=agreement.created_at,
    )


def agreement_read(agreement: Agreement, quorums: Quorums, plan_items: dict[UUID, PlanItem]) -> AgreementRead:
    """The agreement with every version, in decimal strings of its currency and units."""
    currency = agreement.currency
    agreed = agreement.agreed_version is not None
    return AgreementRead(
        id=agreement.id,
        production_plan_id=agreement.production_plan_id,
        consumer_group_id=agreement.consumer_group_id,
        producer_group_id=agreement.producer_group_id,
        status=lifecycle.effective_status(agreement),
        version=agreement.current_version,
        agreed_version=agreement.agreed_version,
        currency=currency,
        total_price=money.to_text(agreement.total_price_minor, currency) if agreed else None,
        shares=agreement.shares if agreed else None,
        subscribed_shares=agreement.subscribed_shares,
        advance_due_on=agreement.advance_due_on,
        approval_quorum=quorums.consumer,
        producer_approval_quorum=quorums.producer,
        renewed_from_id=agreement.renewed_from_id,
        created_at=agreement.created_at,
        agreed_at=agreement.agreed_at,
        activated_at=agreement.activated_at,
        versions=[_version_read(version, currency, plan_items) for version in agreement.versions],
    )


def _version_read(version: AgreementVersion, currency: str, plan_items: dict[UUID, PlanItem]) -> VersionRead:
    return VersionRead(
        number=version.number,
        proposed_by_side=version.proposed_by_side,
        proposed_by_user_id=version.proposed_by_user_id,
        is_amendment=version.is_amendment,
        status=version.status,
        shares=version.shares,
        advance_due_on=version.advance_due_on,
        distribution_mode=version.distribution_mode,
        total_price=money.to_text(version.total_price_minor, currency),
        currency=currency,
        note=version.note,
        created_at=version.created_at,
        accepted_at=version.accepted_at,
        items=[
            VersionItemRead(
                plan_item_id=item.plan_item_id,
                crop=plan_items[item.plan_item_id].crop,
                variety=plan_items[item.plan_item_id].variety,
                unit=plan_items[item.plan_item_id].unit,
                quantity=quantity.to_text(item.quantity_base, plan_items[item.plan_item_id].unit),
                unit_price=money.to_text(item.unit_price_minor, currency),
                line_total=money.to_text(item.line_total_minor, currency),
            )
            for item in version.items
        ],
        approvals=[ApprovalRead.model_validate(approval) for approval in version.approvals],
    )
