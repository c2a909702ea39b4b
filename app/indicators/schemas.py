"""Indicators as the API shows them. Quantities are decimal strings in their unit and money decimal strings
beside their currency, each listed per unit or per currency: nothing is ever added across the two."""

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from app.core.schemas import Schema
from app.networks.models import CbeKind


class CropIndicators(Schema):
    """One crop in one unit."""

    crop: str = Field(max_length=100)
    unit: str = Field(max_length=16)
    planned: str = Field(
        max_length=24,
        description="The maximum the season's production plans offered: a producer group's own plans; for a "
        "consumer group the plans its agreements drew on (planned for all of the farms' partners).",
    )
    agreed: str = Field(max_length=24, description="The quantity of the agreements' versions in force.")
    delivered: str = Field(max_length=24, description="The quantity of every harvest recorded on the agreements.")


class AdvancePaymentIndicators(Schema):
    """Advance payment in one currency, over the season's agreements that have a due date."""

    currency: str = Field(max_length=3)
    total: str = Field(max_length=24, description="The agreements' total prices.")
    paid_by_due_date: str = Field(
        max_length=24, description="What the producers had received of it by each agreement's due date (UTC days)."
    )
    share_paid_by_due_date_percent: float | None = Field(
        description="paid_by_due_date over total, in percent with one decimal; null without a total."
    )
    agreements_paid_on_time: int = Field(description="Fully paid to the producers on or before the due date.")
    agreements_paid_late: int = Field(description="Fully paid to the producers after the due date.")
    agreements_not_fully_paid: int
    average_days_early: float | None = Field(
        description="Over the fully paid agreements: days between full payment and the due date, positive "
        "when early, negative when late; null if none was fully paid."
    )


class MoneyFlowIndicators(Schema):
    """What reached the producers of what consumers paid, in one currency."""

    currency: str = Field(max_length=3)
    consumers_paid: str = Field(max_length=24, description="Households' payments into the agreements, net of refunds.")
    producers_received: str = Field(
        max_length=24, description="The producers' receipts from the agreements, net of what they gave back."
    )
    producers_share_percent: float | None = Field(
        description="producers_received over consumers_paid, in percent; above 100 when the group added money "
        "of its own (shares no household took); null when households paid nothing."
    )


class PremiumIndicators(Schema):
    """The fair-trade premium of trade orders paid within the season's days, in one currency."""

    currency: str = Field(max_length=3)
    paid: str = Field(max_length=24, description="Paid as buyer, into the sellers' collective funds.")
    received: str = Field(max_length=24, description="Received as seller, into the producers' collective fund.")


class SurplusIndicators(Schema):
    """Surplus of one crop in one unit, by what the consumer group did with it."""

    crop: str = Field(max_length=100)
    unit: str = Field(max_length=16)
    disposal: str = Field(max_length=16, description="undecided, stored, sold or given.")
    quantity: str = Field(max_length=24)


class Indicators(Schema):
    """The indicators of one CBE's season, or their sums over several CBEs of one kind."""

    households_served: int = Field(description="Distinct households holding shares of the season's agreements.")
    shares_offered: int = Field(description="Shares of the season's agreements (those ever agreed).")
    shares_subscribed: int = Field(description="Of those, shares households subscribed.")
    agreements: int = Field(description="The season's agreements that were agreed, whatever became of them.")
    renewals: int = Field(description="Of those, agreements renewed from an earlier one.")
    lapses: int = Field(description="Of those, agreements that lapsed unpaid by their due date.")
    cancellations: int = Field(description="Of those, agreements cancelled by mutual consent.")
    learning_events: int = Field(
        description="Learning events within the season's days hosted by the CBE or attended by its people."
    )
    learning_attendances: int = Field(description="Attendances of the CBE's people at learning events in the season.")
    crops: list[CropIndicators] = Field(max_length=1000)
    advance_payments: list[AdvancePaymentIndicators] = Field(max_length=200)
    money_flow: list[MoneyFlowIndicators] = Field(max_length=200)
    fair_trade_premium: list[PremiumIndicators] = Field(max_length=200)
    surplus: list[SurplusIndicators] = Field(max_length=4000)


class SeasonRead(Schema):
    key: str = Field(max_length=220, description="What ?season= takes: the start year and the plans' season name.")
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date


class CbeIndicatorsRead(Schema):
    """One CBE's indicators for one season, computed from the recorded facts when read."""

    cbe_kind: CbeKind
    cbe_id: UUID
    name: str = Field(max_length=200)
    country: str = Field(max_length=2)
    season: SeasonRead
    seasons: list[SeasonRead] = Field(max_length=1000, description="Every season of the CBE, oldest first.")
    computed_at: datetime = Field(description="When these figures were computed: they are as of then.")
    indicators: Indicators


class KindIndicators(Schema):
    """The sums over a country's monitored CBEs of one kind: kinds are never added to each other, so an
    agreement between two monitored CBEs counts once on each side and never twice in one figure."""

    cbe_kind: CbeKind
    cbes: int = Field(description="Monitored CBEs of this kind with a season starting in the year.")
    indicators: Indicators


class CountryIndicatorsRead(Schema):
    """A country's monitored CBEs, rolled up from the daily summary, for the seasons starting in one year."""

    country: str = Field(max_length=2)
    country_name: str = Field(max_length=200)
    year: int
    monitored_cbes: int = Field(description="CBEs of the country enrolled in a monitoring programme now.")
    target: int = Field(description="Monitored CBEs each ASEAN member aims for.")
    refreshed_at: datetime | None = Field(description="When the oldest row summed was computed; null if none.")
    by_kind: list[KindIndicators] = Field(max_length=3)


class CountryCount(Schema):
    country: str = Field(max_length=2)
    cbes: int


class NetworkIndicatorsRead(Schema):
    """The CBEs a network currently enrols, rolled up from the daily summary, for the seasons starting in one
    year: what the network puts in its report."""

    network_id: UUID
    name: str = Field(max_length=200)
    year: int
    monitored_cbes: int = Field(description="CBEs the network enrols now, in any of its programmes.")
    by_country: list[CountryCount] = Field(max_length=300, description="Of those, how many in each country.")
    refreshed_at: datetime | None = Field(description="When the oldest row summed was computed; null if none.")
    by_kind: list[KindIndicators] = Field(max_length=3)


class CountryMonitoring(Schema):
    country: str = Field(max_length=2)
    name: str = Field(max_length=200)
    monitored_cbes: int
    target: int
    target_met: bool


class MonitoringRead(Schema):
    """Each ASEAN member's count of monitored CBEs against the target: public, and counting no household."""

    countries: list[CountryMonitoring] = Field(max_length=11)
    target: int
    countries_meeting_target: int
