"""Base schema and shared field types of the public API."""

import re
from datetime import date
from typing import Annotated, Generic, TypeVar

import pycountry
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# No NUL and no lone surrogates: PostgreSQL cannot store either, and they are never meaningful.
PLAIN_TEXT_PATTERN = r"^[^\x00]*$"


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must be valid Unicode text") from error
    return value


def _known_country(code: str) -> str:
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return code


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PLAIN_TEXT_PATTERN),
    AfterValidator(_storable),
]
Text = Annotated[str, StringConstraints(max_length=2000, pattern=PLAIN_TEXT_PATTERN), AfterValidator(_storable)]
CountryCode = Annotated[
    str,
    StringConstraints(min_length=2, max_length=2, pattern=r"^[A-Z]{2}$"),
    AfterValidator(_known_country),
    Field(description="ISO 3166-1 alpha-2 country code, e.g. TH, VN, PH.", examples=["TH"]),
]

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: object) -> object:
    # Lax parsing would read 0 or "0" as a Unix timestamp (1970-01-01); a day is written YYYY-MM-DD.
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.match(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_date), Field(examples=["2027-03-06"])]

ASEAN_COUNTRIES = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"})


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")
