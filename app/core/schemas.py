"""Base schema and shared field types of the public API."""

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Generic, TypeVar

import pycountry
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

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


# Characters that show nothing: separators (Zs, Zl, Zp), controls, format characters such as the
# zero-width space and the byte-order mark, unassigned and private-use code points (categories Z and C),
# and the few letters and symbols that render blank (Hangul fillers, the blank Braille pattern).
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def invisible(character: str) -> bool:
    return unicodedata.category(character)[0] in "ZC" or character in BLANK_LETTERS


def _stands_alone(character: str) -> bool:
    # Marks (category M: accents, variation selectors, the grapheme joiner) show only on another character.
    return not invisible(character) and unicodedata.category(character)[0] != "M"


def not_blank(value: str) -> str:
    """The value as written, refused unless a character of it shows on its own."""
    if not any(_stands_alone(character) for character in value):
        raise ValueError("must contain a visible character")
    return value


def visible(value: str) -> str:
    """The value without the invisible characters at either end; refused when nothing visible is left,
    so a name of spaces or zero-width characters never reaches a list where nobody could tell it apart."""
    shown = [index for index, character in enumerate(not_blank(value)) if not invisible(character)]
    return value[shown[0] : shown[-1] + 1]


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PLAIN_TEXT_PATTERN),
    AfterValidator(_storable),
    AfterValidator(visible),
]
Text = Annotated[str, StringConstraints(max_length=2000, pattern=PLAIN_TEXT_PATTERN), AfterValidator(_storable)]
# How money moved, as the ledger records it: something a treasurer can read back, never blank.
PaymentMethod = Annotated[
    str,
    StringConstraints(min_length=1, max_length=50, pattern=PLAIN_TEXT_PATTERN),
    AfterValidator(not_blank),
    Field(description="How the money moved: cash, bank_transfer, promptpay, letter_of_credit, …"),
]
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


def in_utc(value: datetime) -> datetime:
    """The same moment in UTC, as the database stores it. A naive time has no moment, and one near the
    ends of the calendar (0001-01-01T00:00+14:00, 9999-12-31T23:59-14:00) has no UTC equivalent."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must have a UTC offset")
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("is out of range once converted to UTC") from error


Moment = Annotated[
    AwareDatetime,
    AfterValidator(in_utc),
    Field(
        description="Date and time with its UTC offset, e.g. 2027-03-06T09:00:00+07:00.",
        examples=["2027-03-06T09:00:00+07:00"],
    ),
]

ASEAN_COUNTRIES = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"})


# The longest text of any field without a bound of its own, sent or answered: no text the service keeps is
# longer (free text is 2,000 characters, a webhook's answer is kept to 2 KiB), so a longer one is refused.
STRING_MAX_LENGTH = 4000
# Pages hold at most `limit` items, and `limit` is at most this (app/core/pagination.py).
PAGE_MAX_ITEMS = 100


class Schema(BaseModel):
    """A body of the API. What a client sends is strict: an unknown field is refused (422), so a typo never
    passes unnoticed. What the service answers is documented open (no `additionalProperties: false`): a
    field added later must not break a client that validates answers against the document."""

    model_config = ConfigDict(from_attributes=True, extra="forbid", str_max_length=STRING_MAX_LENGTH)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        if handler.mode == "serialization":
            # FastAPI then documents a model used both ways twice, as `<Name>-Input` and `<Name>-Output`.
            handler.resolve_ref_schema(json_schema).pop("additionalProperties", None)
        return json_schema


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(str_max_length=STRING_MAX_LENGTH)

    data: list[T] = Field(json_schema_extra={"maxItems": PAGE_MAX_ITEMS})
    has_more: bool
    next_cursor: str | None = Field(
        max_length=200, description="Pass as `cursor` to get the next page; null on the last."
    )
