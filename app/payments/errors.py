from app.core.errors import Conflict, Forbidden


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
