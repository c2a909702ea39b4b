"""Absences: a household away on a pickup date hands its allocation, beforehand, to another household
of the group or to the group's surplus; produce accepted is never handed back to the producer (principle 3)."""

from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.agreements import repository as agreements_repository
from app.agreements.models import Agreement, AgreementStatus
from app.core.db import utc_now
from app.core.pagination import CursorPage, paginate
from app.groups import policies as groups_policies
from app.groups import repository as groups_repository
from app.harvests import policies, repository
from app.harvests.errors import (
    AbsenceAlreadyGiven,
    AbsenceNotBeforehand,
    AbsenceNotFound,
    AbsenceOutsideSeason,
    AgreementNotActive,
    HarvestAlreadyRecorded,
    HouseholdNotSubscribed,
    RecipientIsAbsentHousehold,
    RecipientNotAMember,
)
from app.harvests.models import Absence
from app.harvests.schemas import AbsenceCreate
from app.harvests.service import deliveries


def today() -> date:
    return utc_now().date()


async def give_absence(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, data: AbsenceCreate
) -> Absence:
    """A household holding shares says, before the date, who takes its produce that day."""
    household = await groups_policies.household_acted_for_by(session, principal, data.household_id)
    # Locked as a delivery locks it: an absence and a harvest of the same date cannot cross.
    agreement = await _locked_agreement(session, principal, agreement_id)
    if await agreements_repository.subscription_of(session, agreement.id, household.id) is None:
        raise HouseholdNotSubscribed(
            f"'{household.name}' holds no shares of this agreement.", household_id=str(household.id)
        )
    if agreement.status != AgreementStatus.active:
        raise AgreementNotActive(
            f"The agreement is {agreement.status}; absences are given while it is active.",
            agreement_status=str(agreement.status),
        )
    _require_beforehand(data.on_date, "given")
    season = await deliveries.delivery_season(session, agreement)
    if not season.includes(data.on_date):
        # Only a day a harvest may bear has a pickup to be away from.
        raise AbsenceOutsideSeason(
            f"{data.on_date} is outside the season of the agreement's plan: harvests, and so absences, are dated "
            f"{season.describe()}.",
            on_date=str(data.on_date),
            season_starts_on=str(season.starts_on),
            season_ends_on=str(season.ends_on),
        )
    if data.to_household_id == household.id:
        raise RecipientIsAbsentHousehold("Name another household of the group, or null for the group's surplus.")
    if (
        data.to_household_id is not None
        and await groups_repository.get_membership(session, agreement.consumer_group_id, data.to_household_id) is None
    ):
        raise RecipientNotAMember(
            f"Household {data.to_household_id} does not belong to the consumer group; name a member household, "
            "or null for the group's surplus.",
            to_household_id=str(data.to_household_id),
        )
    await _require_no_harvest_on(session, agreement, data.on_date)
    if await repository.absence_exists(session, agreement.id, household.id, data.on_date):
        raise AbsenceAlreadyGiven(
            f"'{household.name}' is already away on {data.on_date}; withdraw that absence to change it.",
            on_date=str(data.on_date),
        )
    absence = Absence(
        agreement_id=agreement.id, household_id=household.id, on_date=data.on_date, to_household_id=data.to_household_id
    )
    session.add(absence)
    await session.flush()
    return absence


async def withdraw_absence(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, absence_id: UUID
) -> None:
    """The household comes after all; possible until the day before, and before that day's harvest."""
    agreement = await _locked_agreement(session, principal, agreement_id)
    absence = await repository.get_absence(session, agreement.id, absence_id)
    if absence is None or not await groups_repository.user_belongs_to_household(
        session, principal.user_id, absence.household_id
    ):
        raise AbsenceNotFound(absence_id)
    _require_beforehand(absence.on_date, "withdrawn")
    await _require_no_harvest_on(session, agreement, absence.on_date)
    await session.delete(absence)
    await session.flush()


async def list_absences(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    """All absences for the consumer group's members and coordinators; a household that left the group
    but holds shares sees its own."""
    agreement, roles = await policies.agreement_of_party(session, principal, agreement_id)
    policies.require_consumer_side(roles)
    household_ids = None
    if not (roles.consumer_member or roles.consumer_coordinator):
        household_ids = await repository.subscribing_households_of_user(session, principal.user_id, agreement.id)
    return await paginate(
        session,
        repository.absences(agreement.id, household_ids=household_ids),
        created_at=Absence.created_at,
        id_column=Absence.id,
        limit=limit,
        cursor=cursor,
    )


async def _locked_agreement(session: AsyncSession, principal: Principal, agreement_id: UUID) -> Agreement:
    agreement, _ = await policies.agreement_of_party(session, principal, agreement_id, for_update=True)
    return agreement


def _require_beforehand(on_date: date, verb: str) -> None:
    if on_date <= today():
        raise AbsenceNotBeforehand(
            f"An absence is {verb} before its date; {on_date} is not after today ({today()}, UTC).",
            on_date=str(on_date),
        )


async def _require_no_harvest_on(session: AsyncSession, agreement: Agreement, on_date: date) -> None:
    if await repository.harvest_recorded_on(session, agreement.id, on_date):
        raise HarvestAlreadyRecorded(
            f"The harvest of {on_date} is already recorded and allocated; its allocation stands.",
            on_date=str(on_date),
        )
