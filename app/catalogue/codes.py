"""Trade codes of a product: HS and AHTN tariff codes, the ATIGA Form D origin criterion, GS1 GTINs."""

HS_CODE_PATTERN = r"^[0-9]{6}$"
# ASEAN Harmonised Tariff Nomenclature: the 6-digit HS subheading and two national-level digits.
AHTN_CODE_PATTERN = r"^[0-9]{8}$"
GTIN_PATTERN = r"^([0-9]{8}|[0-9]{12,14})$"
# ATIGA Form D origin criteria: wholly obtained, produced from originating materials, a regional value
# content of at least 40%, a change of tariff heading, subheading or chapter, or RVC 40% with CTSH.
FORM_D_CRITERIA = ("WO", "PE", "RVC 40%", "CTH", "CTSH", "CC", "RVC 40% + CTSH")
FORM_D_PATTERN = r"^(WO|PE|CTH|CTSH|CC|RVC 40% \+ CTSH|RVC [4-9][0-9]%)$"


def gtin_check_digit_is_valid(gtin: str) -> bool:
    """GS1 mod-10: from the digit left of the check digit leftwards, weights 3, 1, 3, …; the check digit
    brings the weighted sum to a multiple of 10 (4006381333931 is valid, 4006381333932 is not)."""
    *body, check = (int(digit) for digit in gtin)
    weighted = sum(digit * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return (10 - weighted % 10) % 10 == check
