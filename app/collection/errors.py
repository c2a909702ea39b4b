"""Problems with collection accounts and payment instructions."""

from uuid import UUID

from app.core.errors import Conflict, NotFound, Unprocessable


class InvalidCollectionAccount(Unprocessable):
    """A field the account's kind or scheme needs is missing, or an identifier the scheme would refuse."""

    code = "invalid-collection-account"
    title = "The collection account is not valid"


class PaymentQrUnavailable(Conflict):
    """No code can be drawn: the payee records no QR account, nothing is due, or the scheme cannot carry the
    agreement's currency. The JSON instructions say which, and what to pay otherwise."""

    code = "payment-qr-unavailable"
    title = "There is no payment QR code to draw"


class CollectionAccountNotFound(NotFound):
    """No such account among the group's: another group's accounts are not found either."""

    code = "collection-account-not-found"
    title = "Collection account not found"

    def __init__(self, account_id: UUID) -> None:
        super().__init__(f"The group has no collection account {account_id}.", account_id=str(account_id))


class CollectionAccountNothingToApprove(Conflict):
    """The account has no open proposal: it was approved already, or retired before it was."""

    code = "collection-account-nothing-to-approve"
    title = "Nothing about the collection account awaits approval"


class CollectionAccountAlreadyApproved(Conflict):
    code = "collection-account-already-approved"
    title = "You already approved this change to the collection account"


class CollectionAccountProposalOpen(Conflict):
    """A change to the account already awaits approval: approve it rather than propose another."""

    code = "collection-account-proposal-open"
    title = "A change to the collection account already awaits approval"


class CollectionAccountNotActive(Conflict):
    """Only an active account may become the default: a proposed one is approved first, a retired one never."""

    code = "collection-account-not-active"
    title = "The collection account is not active"


class CollectionAccountAlreadyDefault(Conflict):
    code = "collection-account-already-default"
    title = "The collection account is the default already"


class CollectionAccountRetired(Conflict):
    code = "collection-account-retired"
    title = "The collection account is retired"
