from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class AgreementNotFound(NotFound):
    code = "agreement-not-found"
    title = "Agreement not found"

    def __init__(self, agreement_id: UUID) -> None:
        super().__init__(f"No agreement {agreement_id} that your groups are party to.", agreement_id=str(agreement_id))


class ItemNotInPlan(Unprocessable):
    code = "item-not-in-plan"
    title = "An item is not part of the plan"


class DuplicateItem(Unprocessable):
    code = "duplicate-item"
    title = "A plan item appears twice"


class DueDateNotValid(Unprocessable):
    code = "advance-due-date-not-valid"
    title = "The advance-payment due date is not valid"


class NotPartyCoordinator(Forbidden):
    code = "not-party-coordinator"
    title = "Only coordinators of the two groups may negotiate"


class GroupNotActive(Conflict):
    code = "group-not-active"
    title = "The consumer group has fewer than 15 households"


class VersionNotCurrent(Conflict):
    code = "version-not-current"
    title = "The version is not the current one"


class OwnVersion(Conflict):
    code = "own-version"
    title = "A side cannot accept or counter its own version"


class AlreadyApproved(Conflict):
    code = "already-approved"
    title = "You have already approved this version"


class NothingToAccept(Conflict):
    code = "nothing-to-accept"
    title = "No proposal is waiting for acceptance"


class NotNegotiable(Conflict):
    code = "agreement-not-negotiable"
    title = "The agreement's terms can no longer change"


class AmendmentChangesDues(Conflict):
    code = "amendment-changes-dues"
    title = "Households have subscribed; shares and total price must stay"


class CapacityExceeded(Conflict):
    code = "plan-capacity-exceeded"
    title = "The plan cannot grow that much"


class AgreementNotAgreed(Conflict):
    code = "agreement-not-agreed"
    title = "The agreement is not agreed"


class NotAGroupHousehold(Conflict):
    code = "household-not-in-group"
    title = "The household does not belong to the consumer group"


class AlreadySubscribed(Conflict):
    code = "already-subscribed"
    title = "The household already holds shares of this agreement"


class NotEnoughShares(Conflict):
    code = "not-enough-shares"
    title = "Not enough shares are left"


class NoMatchingItems(Unprocessable):
    code = "no-matching-items"
    title = "The new plan grows none of the agreement's crops"


class RenewalCurrencyDiffers(Conflict):
    code = "renewal-currency-differs"
    title = "The new plan is priced in another currency"


class SubscriptionNotFound(NotFound):
    code = "subscription-not-found"
    title = "Subscription not found"

    def __init__(self, subscription_id: UUID) -> None:
        super().__init__(
            f"No subscription {subscription_id} of a household you belong to.", subscription_id=str(subscription_id)
        )


class TransferNotFound(NotFound):
    code = "subscription-transfer-not-found"
    title = "Subscription transfer not found"

    def __init__(self, transfer_id: UUID) -> None:
        super().__init__(
            f"No transfer {transfer_id} offered to or by a household you belong to.", transfer_id=str(transfer_id)
        )


class AgreementNotRunning(Conflict):
    code = "agreement-not-running"
    title = "The agreement is neither agreed nor active"


class TransferAlreadyOffered(Conflict):
    code = "subscription-transfer-already-offered"
    title = "The subscription is already offered to a household"


class TransferNotOffered(Conflict):
    code = "subscription-transfer-not-offered"
    title = "The transfer is no longer offered"
