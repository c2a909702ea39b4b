"""The problems a cancellation by mutual consent can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, NotFound


class CancellationNotFound(NotFound):
    code = "cancellation-not-found"
    title = "Cancellation not found"

    def __init__(self, cancellation_id: UUID) -> None:
        super().__init__(
            f"No cancellation {cancellation_id} of an agreement your groups are party to.",
            cancellation_id=str(cancellation_id),
        )


class AgreementNotCancellable(Conflict):
    code = "agreement-not-cancellable"
    title = "Only an agreed or active agreement can be cancelled"


class RefundAboveBound(Conflict):
    code = "cancellation-refund-above-bound"
    title = "The refund is more than was paid and not yet delivered"


class CancellationNoLongerApplies(Conflict):
    code = "cancellation-no-longer-applies"
    title = "The refund is now more than was paid and not yet delivered"


class CancellationNotOpen(Conflict):
    code = "cancellation-not-open"
    title = "The cancellation is no longer open"


class CancellationAlreadyApproved(Conflict):
    code = "cancellation-already-approved"
    title = "You have already approved this cancellation"
