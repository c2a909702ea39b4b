"""Problems reading indicators."""

from app.core.errors import NotFound, Unprocessable


class CbeIndicatorsNotFound(NotFound):
    """No such CBE, or the caller may not read its indicators: the two read alike, so that nobody learns
    which groups are monitored by asking."""

    code = "cbe-indicators-not-found"
    title = "No indicators of this CBE for you"


class SeasonNotFound(NotFound):
    """The CBE recorded nothing in the season asked for; the answer names the seasons it has."""

    code = "indicator-season-not-found"
    title = "The CBE has no such season"


class CountryIndicatorsNotFound(NotFound):
    """The caller is a member of no network that monitors a CBE of the country (or there is none)."""

    code = "country-indicators-not-found"
    title = "No indicators of this country for you"


class UnknownCountry(Unprocessable):
    code = "unknown-country"
    title = "Not an ISO 3166-1 alpha-2 country code"
