"""EMVCo merchant-presented QR payloads, the format ASEAN's national QR schemes share (PromptPay, VietQR,
QRIS, DuitNow, QR Ph, PayNow, KHQR): what a payer's banking app scans to fill in payee, amount and reference.

A payload is a string of data objects, each a two-digit id, a two-digit length and the value; some values
are themselves such strings (templates). It opens with the format indicator (00) and ends with a CRC-16
(63) over everything before it, "6304" included, so a misread or altered code is refused by the app.
Lengths count characters: the schemes keep to ASCII, and so does everything built here."""

import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Final

import iso4217

FORMAT_INDICATOR: Final = "01"
STATIC: Final = "11"  # the payer types the amount; the same code serves every payment
DYNAMIC: Final = "12"  # carries an amount: one code for one payment

ID_FORMAT, ID_INITIATION, ID_CATEGORY, ID_CURRENCY, ID_AMOUNT = "00", "01", "52", "53", "54"
ID_COUNTRY, ID_NAME, ID_CITY, ID_ADDITIONAL, ID_CRC = "58", "59", "60", "62", "63"
MERCHANT_ACCOUNT_IDS: Final = frozenset(f"{number:02d}" for number in range(26, 52))
NAME_MAX_LENGTH: Final = 25
CITY_MAX_LENGTH: Final = 15
MAX_VALUE_LENGTH: Final = 99

# Sub-ids of the additional data template (62).
BILL_NUMBER: Final = "01"
REFERENCE_LABEL: Final = "05"
PURPOSE: Final = "08"

PROMPTPAY_AID: Final = "A000000677010111"
PROMPTPAY_TEMPLATE: Final = "29"  # credit transfer to a PromptPay id
PROMPTPAY_MOBILE, PROMPTPAY_NATIONAL_ID, PROMPTPAY_E_WALLET = "01", "02", "03"
NAPAS_AID: Final = "A000000727"
VIETQR_TEMPLATE: Final = "38"
VIETQR_TO_ACCOUNT: Final = "QRIBFTTA"  # NAPAS 24/7 interbank transfer to an account


class InvalidPayload(ValueError):
    """A payload that cannot be built (a value too long, not ASCII) or read back (lengths, CRC)."""


@dataclass(frozen=True)
class MerchantAccount:
    """Who is paid: a template (26–51) whose sub-fields a scheme defines, its globally unique id first."""

    template_id: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Payload:
    account: MerchantAccount
    currency: str  # ISO 4217 alphabetic, e.g. THB
    country: str  # ISO 3166-1 alpha-2
    amount_minor: int | None = None  # None: a static code, the payer types the amount
    merchant_category: str | None = None  # ISO 18245; "0000" where the scheme asks for none in particular
    merchant_name: str | None = None
    merchant_city: str | None = None
    additional: tuple[tuple[str, str], ...] = field(default=())  # template 62, e.g. ((REFERENCE_LABEL, "TK…"),)


# Schemes


def promptpay(proxy_type: str, value: str) -> MerchantAccount:
    """A PromptPay id: a Thai mobile number (0812345678), a national or tax id (13 digits), an e-wallet id (15)."""
    digits = "".join(character for character in value if character.isdigit())
    # The scheme writes a mobile number as 13 digits: 0066 and the number without its leading 0.
    if proxy_type == PROMPTPAY_MOBILE and not (len(digits) == 13 and digits.startswith("0066")):
        national = digits[2:] if digits.startswith("66") else digits.removeprefix("0")
        digits = ("0066" + national).rjust(13, "0")
    return MerchantAccount(PROMPTPAY_TEMPLATE, (("00", PROMPTPAY_AID), (proxy_type, digits)))


def vietqr(bank_bin: str, account_number: str) -> MerchantAccount:
    """A Vietnamese bank account, reached through NAPAS by the bank's six-digit BIN."""
    beneficiary = encode_fields([("00", bank_bin), ("01", account_number)])
    return MerchantAccount(VIETQR_TEMPLATE, (("00", NAPAS_AID), ("01", beneficiary), ("02", VIETQR_TO_ACCOUNT)))


# Building


def build(payload: Payload) -> str:
    """The payload's text, data objects in ascending order of id, the CRC last."""
    fields: list[tuple[str, str]] = [
        (ID_FORMAT, FORMAT_INDICATOR),
        (ID_INITIATION, STATIC if payload.amount_minor is None else DYNAMIC),
        (payload.account.template_id, encode_fields(payload.account.fields)),
    ]
    if payload.account.template_id not in MERCHANT_ACCOUNT_IDS:
        raise InvalidPayload(f"merchant account template {payload.account.template_id} is not one of 26–51")
    if payload.merchant_category is not None:
        fields.append((ID_CATEGORY, payload.merchant_category))
    fields.append((ID_CURRENCY, currency_number(payload.currency)))
    if payload.amount_minor is not None:
        fields.append((ID_AMOUNT, amount_text(payload.amount_minor, payload.currency)))
    fields.append((ID_COUNTRY, payload.country))
    if payload.merchant_name is not None:
        fields.append((ID_NAME, _at_most(payload.merchant_name, NAME_MAX_LENGTH, "merchant name")))
    if payload.merchant_city is not None:
        fields.append((ID_CITY, _at_most(payload.merchant_city, CITY_MAX_LENGTH, "merchant city")))
    if payload.additional:
        fields.append((ID_ADDITIONAL, encode_fields(payload.additional)))
    return encode(fields)


def encode(fields: Iterable[tuple[str, str]]) -> str:
    """The data objects in the order given, and the CRC after them."""
    body = encode_fields(fields) + ID_CRC + "04"
    return body + crc(body)


def encode_fields(fields: Iterable[tuple[str, str]]) -> str:
    return "".join(_data_object(field_id, value) for field_id, value in fields)


def crc(text: str) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), four uppercase hex digits."""
    return f"{binascii.crc_hqx(text.encode('ascii'), 0xFFFF):04X}"


def _data_object(field_id: str, value: str) -> str:
    if len(field_id) != 2 or not field_id.isdigit():
        raise InvalidPayload(f"'{field_id}' is not a two-digit id")
    if not value.isascii() or not value.isprintable():
        raise InvalidPayload(f"field {field_id} holds characters a payment code cannot carry")
    if not 0 < len(value) <= MAX_VALUE_LENGTH:
        raise InvalidPayload(f"field {field_id} is {len(value)} characters; 1 to {MAX_VALUE_LENGTH} fit")
    return f"{field_id}{len(value):02d}{value}"


def _at_most(value: str, length: int, what: str) -> str:
    if len(value) > length:
        raise InvalidPayload(f"the {what} is {len(value)} characters; a payment code carries {length}")
    return value


# Currencies and amounts


@cache
def _currencies() -> tuple[dict[str, iso4217.Currency], dict[str, iso4217.Currency]]:
    by_code = {currency.code: currency for currency in iso4217.Currency}
    by_number = {f"{currency.number:03d}": currency for currency in iso4217.Currency}
    return by_code, by_number


def currency_number(code: str) -> str:
    """ISO 4217 numeric, three digits: THB 764, VND 704."""
    currency = _currencies()[0].get(code)
    if currency is None:
        raise InvalidPayload(f"'{code}' is not an ISO 4217 currency")
    return f"{currency.number:03d}"


def _exponent(code: str) -> int:
    exponent = _currencies()[0][code].exponent
    if exponent is None:
        raise InvalidPayload(f"'{code}' has no minor unit")
    return int(exponent)


def amount_text(amount_minor: int, currency: str) -> str:
    """The amount in the currency's minor unit, as decimal text: 4.22 THB, 120000 VND."""
    if amount_minor <= 0:
        raise InvalidPayload("a payment code's amount is more than zero")
    exponent = _exponent(currency)
    if exponent == 0:
        return str(amount_minor)
    units, cents = divmod(amount_minor, 10**exponent)
    return f"{units}.{cents:0{exponent}d}"


def amount_minor(text: str, currency: str) -> int:
    """Decimal text read back in minor units; refused when finer than the currency's minor unit."""
    exponent = _exponent(currency)
    if not text or any(character not in "0123456789." for character in text) or text.count(".") > 1:
        raise InvalidPayload(f"'{text}' is not an amount")
    try:
        value = Decimal(text) * 10**exponent
    except InvalidOperation as error:
        raise InvalidPayload(f"'{text}' is not an amount") from error
    if value != value.to_integral_value() or value <= 0:
        raise InvalidPayload(f"'{text}' is not an amount in {currency}")
    return int(value)


# Reading


def decode(text: str) -> list[tuple[str, str]]:
    """The data objects of a whole payload, in order, once its CRC is checked; the CRC itself left out."""
    if len(text) < 8 or text[-8:-4] != ID_CRC + "04":
        raise InvalidPayload("the payload does not end with its CRC (6304…)")
    expected = crc(text[:-4]) if text.isascii() else None
    if text[-4:] != expected:
        raise InvalidPayload(f"the CRC is {text[-4:]}; the payload's content gives {expected}")
    fields = decode_fields(text[:-8])
    if not fields or fields[0] != (ID_FORMAT, FORMAT_INDICATOR):
        raise InvalidPayload("the payload does not open with its format indicator (000201)")
    return fields


def decode_fields(text: str) -> list[tuple[str, str]]:
    """Data objects one after another, each length checked against what follows it."""
    fields = []
    position = 0
    while position < len(text):
        head = text[position : position + 4]
        if len(head) < 4 or not head.isdigit():
            raise InvalidPayload(f"no id and length at character {position}")
        length = int(head[2:])
        value = text[position + 4 : position + 4 + length]
        if length == 0 or len(value) != length:
            raise InvalidPayload(f"field {head[:2]} at character {position} claims {length} characters")
        fields.append((head[:2], value))
        position += 4 + length
    return fields


def parse(text: str) -> Payload:
    """A payload read back into its fields: the first merchant account template, amount in minor units."""
    fields = decode(text)
    seen: dict[str, str] = {}
    for field_id, value in fields:
        if field_id in seen:
            raise InvalidPayload(f"field {field_id} appears twice")
        seen[field_id] = value
    accounts = [field_id for field_id, _ in fields if field_id in MERCHANT_ACCOUNT_IDS]
    if not accounts:
        raise InvalidPayload("the payload names no merchant account (26–51)")
    for required in (ID_CURRENCY, ID_COUNTRY):
        if required not in seen:
            raise InvalidPayload(f"the payload has no field {required}")
    by_number = _currencies()[1].get(seen[ID_CURRENCY])
    if by_number is None:
        raise InvalidPayload(f"'{seen[ID_CURRENCY]}' is not an ISO 4217 numeric currency")
    currency = by_number.code
    amount = amount_minor(seen[ID_AMOUNT], currency) if ID_AMOUNT in seen else None
    initiation = seen.get(ID_INITIATION)
    if initiation not in (None, STATIC, DYNAMIC):
        raise InvalidPayload(f"'{initiation}' is no point of initiation")
    return Payload(
        account=MerchantAccount(accounts[0], tuple(decode_fields(seen[accounts[0]]))),
        currency=currency,
        country=seen[ID_COUNTRY],
        amount_minor=amount,
        merchant_category=seen.get(ID_CATEGORY),
        merchant_name=seen.get(ID_NAME),
        merchant_city=seen.get(ID_CITY),
        additional=tuple(decode_fields(seen[ID_ADDITIONAL])) if ID_ADDITIONAL in seen else (),
    )


def sub_field(fields: Sequence[tuple[str, str]], field_id: str) -> str | None:
    return next((value for sub_id, value in fields if sub_id == field_id), None)
