"""Pickup lists: per station and date, which household takes what home (principle 6), as JSON for
the apps and as CSV for the volunteer who prints it."""

import csv
import io
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.core.quantity import Unit, to_text
from app.harvests import policies, repository
from app.harvests.schemas import PickupHousehold, PickupItem, PickupListRead, PickupStationSummary

CSV_HEADER = ("household", "crop", "variety", "unit", "quantity")
# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def pickup_list(
    session: AsyncSession, principal: Principal, *, station_id: UUID, on_date: date
) -> PickupListRead:
    """What each household picks up at the station that day, summed over the day's harvests.

    The consumer group's members and coordinators see every delivery; a coordinator of a producer
    group that delivers to the group sees its own group's deliveries only.
    """
    station, producer_group_ids = await policies.station_readers_scope(session, principal, station_id)
    households: dict[UUID, PickupHousehold] = {}
    rows = await repository.pickup_rows(session, station.id, on_date, producer_group_ids=producer_group_ids)
    for household_id, household_name, crop, variety, unit, quantity_base in rows:
        household = households.setdefault(
            household_id, PickupHousehold(household_id=household_id, household_name=household_name, items=[])
        )
        household.items.append(_item(crop, variety, Unit(unit), int(quantity_base)))
    for household in households.values():
        household.items.sort(key=_item_order)
    surplus = [
        _item(crop, variety, Unit(unit), int(quantity_base))
        for crop, variety, unit, quantity_base in await repository.surplus_rows(
            session, station.id, on_date, producer_group_ids=producer_group_ids
        )
    ]
    # Sorted here, not in SQL: SQLite and PostgreSQL collate text differently.
    return PickupListRead(
        station=PickupStationSummary.model_validate(station),
        date=on_date,
        households=sorted(
            households.values(),
            key=lambda household: (
                household.household_name.casefold(),
                household.household_name,
                household.household_id,
            ),
        ),
        surplus=sorted(surplus, key=_item_order),
    )


def _item(crop: str, variety: str | None, unit: Unit, quantity_base: int) -> PickupItem:
    return PickupItem(crop=crop, variety=variety, unit=unit, quantity=to_text(quantity_base, unit))


def _item_order(item: PickupItem) -> tuple[str, str, str, str]:
    return (item.crop.casefold(), item.crop, (item.variety or "").casefold(), str(item.unit))


def as_csv(pickup: PickupListRead) -> str:
    """One row per household and crop, households by name, in the order of the JSON list."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for household in pickup.households:
        for item in household.items:
            writer.writerow(
                [_cell(household.household_name), _cell(item.crop), _cell(item.variety or ""), item.unit, item.quantity]
            )
    return buffer.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
