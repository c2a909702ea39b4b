"""EMVCo merchant-presented payloads: byte for byte against payloads other implementations publish, and
every payload built read back to the same fields."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import emvco
from app.core.emvco import InvalidPayload, Payload

# dtinth/promptpay-qr, index.test.js (https://github.com/dtinth/promptpay-qr): PromptPay credit transfers to a
# mobile number, a national id and a tax id, and one with an amount. That library writes the country (58)
# before the currency (53); the order is the payload's own, the fields and the CRC are what matter.
PROMPTPAY_VECTORS = [
    (
        emvco.PROMPTPAY_MOBILE,
        "0801234567",
        None,
        "00020101021129370016A000000677010111011300668012345675802TH530376463046197",
    ),
    (
        emvco.PROMPTPAY_MOBILE,
        "+66-89-123-4567",
        None,
        "00020101021129370016A000000677010111011300668912345675802TH5303764630429C1",
    ),
    (
        emvco.PROMPTPAY_NATIONAL_ID,
        "1111111111111",
        None,
        "00020101021129370016A000000677010111021311111111111115802TH530376463047B5A",
    ),
    (
        emvco.PROMPTPAY_NATIONAL_ID,
        "0123456789012",
        None,
        "00020101021129370016A000000677010111021301234567890125802TH530376463040CBD",
    ),
    (
        emvco.PROMPTPAY_MOBILE,
        "000-000-0000",
        422,
        "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469",
    ),
]

# subiz/vietqr, vietqr_test.go and README.md (https://github.com/subiz/vietqr): NAPAS transfers to an account
# (QRIBFTTA) by bank BIN, static and with an amount in VND (no minor unit) and a purpose (62, sub-field 08).
VIETQR_VECTORS = [
    (
        "970423",
        "0099999999",
        None,
        None,
        "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4",
    ),
    (
        "970422",
        "0023457923442",
        40123,
        "test text string",
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN"
        "62200816test text string6304D9C6",
    ),
    (
        "970415",
        "0011001932418",
        120000,
        "ung ho lu lut",
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
        "62170813ung ho lu lut6304C15C",
    ),
]


@pytest.mark.parametrize(("proxy_type", "proxy", "amount", "published"), PROMPTPAY_VECTORS)
def test_promptpay_payloads_match_the_published_ones(
    proxy_type: str, proxy: str, amount: int | None, published: str
) -> None:
    account = emvco.promptpay(proxy_type, proxy)
    fields = [
        ("00", "01"),
        ("01", "11" if amount is None else "12"),
        ("29", emvco.encode_fields(account.fields)),
        ("58", "TH"),
        ("53", "764"),
        *([("54", emvco.amount_text(amount, "THB"))] if amount is not None else []),
    ]

    assert emvco.encode(fields) == published
    expected = Payload(account=account, currency="THB", country="TH", amount_minor=amount)
    assert emvco.parse(published) == expected
    assert emvco.parse(emvco.build(expected)) == expected


@pytest.mark.parametrize(("bank_bin", "account_number", "amount", "purpose", "published"), VIETQR_VECTORS)
def test_vietqr_payloads_match_the_published_ones(
    bank_bin: str, account_number: str, amount: int | None, purpose: str | None, published: str
) -> None:
    payload = Payload(
        account=emvco.vietqr(bank_bin, account_number),
        currency="VND",
        country="VN",
        amount_minor=amount,
        additional=((emvco.PURPOSE, purpose),) if purpose else (),
    )

    assert emvco.build(payload) == published
    assert emvco.parse(published) == payload


def test_the_crc_is_crc16_ccitt_false() -> None:
    assert emvco.crc("123456789") == "29B1"  # the catalogued check value of CRC-16/CCITT-FALSE


def test_amounts_are_written_in_the_currencys_minor_unit() -> None:
    assert [emvco.amount_text(*case) for case in [(422, "THB"), (100, "THB"), (120000, "VND"), (1500, "BHD")]] == [
        "4.22",
        "1.00",
        "120000",
        "1.500",
    ]
    assert emvco.amount_minor("4.2", "THB") == 420
    with pytest.raises(InvalidPayload):
        emvco.amount_minor("4.221", "THB")


# Refused


def test_a_payload_altered_after_its_crc_was_computed_is_refused() -> None:
    published = VIETQR_VECTORS[1][-1]
    tampered = published.replace("5405401235", "5405901235")

    with pytest.raises(InvalidPayload, match="CRC"):
        emvco.parse(tampered)
    with pytest.raises(InvalidPayload, match="CRC"):
        emvco.parse(published[:-4] + "D9C7")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "6304FFFF",
        "000201",  # no CRC
        "00020101021129",  # a length longer than what follows
        "0002016304",
        "0102120002016304",  # the format indicator is not first
    ],
)
def test_malformed_payloads_are_refused(text: str) -> None:
    body = text if text.endswith("6304") else text + "6304"
    with pytest.raises(InvalidPayload):
        emvco.parse(body + emvco.crc(body))


def test_a_length_that_overruns_the_payload_is_refused() -> None:
    body = "000201010212" + "29990016A000000677010111" + "6304"
    with pytest.raises(InvalidPayload, match="claims"):
        emvco.parse(body + emvco.crc(body))


def test_a_name_or_city_too_long_or_not_ascii_is_not_built() -> None:
    account = emvco.promptpay(emvco.PROMPTPAY_MOBILE, "0812345678")
    with pytest.raises(InvalidPayload, match="25"):
        emvco.build(Payload(account=account, currency="THB", country="TH", merchant_name="x" * 26))
    with pytest.raises(InvalidPayload, match="15"):
        emvco.build(Payload(account=account, currency="THB", country="TH", merchant_city="Nakhon Ratchasima"))
    with pytest.raises(InvalidPayload, match="characters"):
        emvco.build(Payload(account=account, currency="THB", country="TH", merchant_name="เชียงใหม่"))


# Every payload built reads back to the same fields

ascii_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1)
digits = st.text(alphabet="0123456789", min_size=1)


@st.composite
def payloads(draw: st.DrawFn) -> Payload:
    if draw(st.booleans()):
        proxy_type = draw(
            st.sampled_from([emvco.PROMPTPAY_MOBILE, emvco.PROMPTPAY_NATIONAL_ID, emvco.PROMPTPAY_E_WALLET])
        )
        size = {emvco.PROMPTPAY_MOBILE: 9, emvco.PROMPTPAY_NATIONAL_ID: 13, emvco.PROMPTPAY_E_WALLET: 15}[proxy_type]
        number = draw(st.text(alphabet="0123456789", min_size=size, max_size=size))
        account = emvco.promptpay(proxy_type, "0" + number if proxy_type == emvco.PROMPTPAY_MOBILE else number)
        currency, country = "THB", "TH"
    else:
        account = emvco.vietqr(
            draw(st.text(alphabet="0123456789", min_size=6, max_size=6)),
            draw(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=19)),
        )
        currency, country = "VND", "VN"
    additional = draw(
        st.lists(
            st.tuples(
                st.sampled_from([emvco.BILL_NUMBER, emvco.REFERENCE_LABEL, emvco.PURPOSE]),
                ascii_text.filter(lambda t: len(t) <= 25),
            ),
            max_size=3,
            unique_by=lambda pair: pair[0],
        )
    )
    return Payload(
        account=account,
        currency=currency,
        country=country,
        amount_minor=draw(st.none() | st.integers(min_value=1, max_value=10**12)),
        merchant_category=draw(st.none() | st.text(alphabet="0123456789", min_size=4, max_size=4)),
        merchant_name=draw(st.none() | ascii_text.filter(lambda t: len(t) <= 25)),
        merchant_city=draw(st.none() | ascii_text.filter(lambda t: len(t) <= 15)),
        additional=tuple(additional),
    )


@given(payloads())
def test_every_payload_built_parses_back_to_the_same_fields(payload: Payload) -> None:
    text = emvco.build(payload)

    assert emvco.parse(text) == payload
    assert text[-8:-4] == "6304"
    assert text[-4:] == emvco.crc(text[:-4])


@given(payloads(), st.data())
def test_changing_any_one_character_of_a_payload_is_noticed(payload: Payload, data: st.DataObject) -> None:
    text = emvco.build(payload)
    position = data.draw(st.integers(min_value=0, max_value=len(text) - 5))
    replacement = data.draw(st.sampled_from("0123456789ABZ .").filter(lambda c: c != text[position]))

    with pytest.raises(InvalidPayload):
        emvco.parse(text[:position] + replacement + text[position + 1 :])
