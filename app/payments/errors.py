from app.core.errors import Conflict, Forbidden, NotFound


class AgreementNotPayable(Conflict):
    code = "agreement-not-payable"
    title = "The agreement takes no such payment now"


class NoSubscription(Conflict):
    code = "no-subscription"
    title = "The household holds no shares of this agreement"


class Overpayment(Conflict):
    code = "overpayment"
    title = "The payment is more than is owed"


class NotPermittedToPay(Forbidden):
    code = "not-permitted-to-pay"
    title = "You may not record this payment"


class InsufficientCredit(Conflict):
    code = "insufficient-credit"
    title = "The household's credit is less than that"


class NothingToApply(Conflict):
    code = "nothing-to-apply"
    title = "There is no credit to apply, or nothing is owed"


class RefundNotFound(NotFound):
    code = "refund-not-found"
    title = "No such refund of an agreement of this group"


class RefundNotThatLarge(Conflict):
    code = "refund-not-that-large"
    title = "Less than that is left of the refund to keep as credit"


class SharesNotHandedOn(NotFound):
    code = "shares-not-handed-on"
    title = "The household handed on no shares of this agreement"


class SettlementTooLarge(Conflict):
    code = "settlement-too-large"
    title = "The household that handed the shares on paid less than that for them"


class HouseholdsOwnCredit(Forbidden):
    code = "households-own-credit"
    title = "Only the household itself gives up its credit or its refund"
