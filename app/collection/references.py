"""Payment references: what a payer writes in a transfer's note so the payee's statement names them.

"TK", eight characters and a check character (ISO 7064 MOD 37-36): short enough to type into a banking
app, and a mistyped character or two swapped ones is caught before a payment is matched to the wrong payer.
The eight are of Crockford's base 32, which leaves out I, L, O and U, the letters read as 1, 0 or V."""

import secrets

from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_37_36

PREFIX = "TK"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 8
LENGTH = len(PREFIX) + BODY_LENGTH + 1


def new_reference() -> str:
    body = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + mod_37_36.calc_check_digit(body)


def normalise(text: str) -> str:
    """As a payer may have typed it: in lower case, with spaces or dashes."""
    return "".join(character for character in text.upper() if character not in " -")


def is_valid(text: str) -> bool:
    """Whether `text` (normalised first) is a reference this service could have made, its check character
    right; statement lines are matched by it."""
    reference = normalise(text)
    if len(reference) != LENGTH or not reference.startswith(PREFIX):
        return False
    if any(character not in ALPHABET for character in reference[len(PREFIX) : -1]):
        return False
    try:
        mod_37_36.validate(reference)
    except ValidationError:
        return False
    return True


def find_in(text: str) -> str | None:
    """The first valid reference within free text, such as a statement line's description."""
    compact = normalise(text)
    for start in range(len(compact) - LENGTH + 1):
        candidate = compact[start : start + LENGTH]
        if candidate.startswith(PREFIX) and is_valid(candidate):
            return candidate
    return None
