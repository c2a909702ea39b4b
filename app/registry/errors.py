"""The problems registry requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, NotFound, Unprocessable


class PledgeNotFound(NotFound):
    code = "pledge-not-found"
    title = "Pledge not found"

    def __init__(self, pledge_id: UUID) -> None:
        # Also for another household's pledge: only its members may read it.
        super().__init__(f"No pledge {pledge_id} of a household of yours.", pledge_id=str(pledge_id))


class ConsentRequired(Unprocessable):
    code = "consent-required"
    title = "A pledge needs the household's consent"

    def __init__(self) -> None:
        super().__init__("Send consent: true, with the version of the consent text the member agreed to.")


class HouseholdInNoGroup(Conflict):
    code = "household-in-no-group"
    title = "The household belongs to no consumer group"

    def __init__(self, household_id: UUID) -> None:
        super().__init__(
            "A household pledges in the country of a consumer group it belongs to; this one belongs to none yet.",
            household_id=str(household_id),
        )


class PledgeCountryNotOfHousehold(Unprocessable):
    code = "pledge-country-not-of-household"
    title = "The household has no consumer group in that country"

    def __init__(self, country: str, countries: list[str]) -> None:
        super().__init__(
            f"The household's consumer groups are in {', '.join(countries)}, not {country}.",
            country=country,
            countries=countries,
        )
