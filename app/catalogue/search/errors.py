"""The problems a catalogue search can answer with; `code` is part of the API."""

from app.core.errors import Unprocessable


class SearchNeedsWords(Unprocessable):
    code = "search-needs-words"
    title = "The search text has no word to look for"


class TooManySearchWords(Unprocessable):
    code = "too-many-search-words"
    title = "The search text has too many words"


class RelevanceNeedsSearch(Unprocessable):
    code = "relevance-needs-search"
    title = "Sorting by relevance needs a search text"


class PriceNeedsCurrency(Unprocessable):
    code = "price-needs-currency"
    title = "Price bounds and price sorts need the currency they are in"


class PriceRangeEmpty(Unprocessable):
    code = "price-range-empty"
    title = "The minimum price is above the maximum price"
