"""Problems with collection accounts and payment instructions."""

from app.core.errors import Conflict, Unprocessable


class InvalidCollectionAccount(Unprocessable):
    """A field the account's kind or scheme needs is missing, or an identifier the scheme would refuse."""

    code = "invalid-collection-account"
    title = "The collection account is not valid"


class PaymentQrUnavailable(Conflict):
    """No code can be drawn: the payee records no QR account, nothing is due, or the scheme cannot carry the
    agreement's currency. The JSON instructions say which, and what to pay otherwise."""

    code = "payment-qr-unavailable"
    title = "There is no payment QR code to draw"
