"""The problems producer-group requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound


class ProducerGroupNotFound(NotFound):
    code = "producer-group-not-found"
    title = "Producer group not found"

    def __init__(self, producer_group_id: UUID) -> None:
        super().__init__(f"No producer group {producer_group_id}.", producer_group_id=str(producer_group_id))


class HouseholdNotFound(NotFound):
    code = "household-not-found"
    title = "Household not found"

    def __init__(self, household_id: UUID) -> None:
        super().__init__(f"No household {household_id}.", household_id=str(household_id))


class UserNotFound(NotFound):
    code = "user-not-found"
    title = "User not found"

    def __init__(self, user_id: UUID) -> None:
        super().__init__(f"No user {user_id}.", user_id=str(user_id))


class NotProducerCoordinator(Forbidden):
    code = "not-producer-coordinator"
    title = "Only the producer group's coordinators may do this"


class NotProducerGroupMember(Forbidden):
    code = "not-producer-group-member"
    title = "Only the producer group's farming households and coordinators may see this"


class RemovalNotPermitted(Forbidden):
    code = "household-removal-not-permitted"
    title = "Only the household itself or a coordinator may remove it from the producer group"


class AlreadyMember(Conflict):
    code = "already-member"
    title = "The household already belongs to the producer group"


class MembershipNotFound(NotFound):
    code = "membership-not-found"
    title = "The household does not belong to the producer group"


class AlreadyCoordinator(Conflict):
    code = "already-coordinator"
    title = "The user is already a coordinator"


class CoordinatorMustBeMember(Conflict):
    code = "coordinator-must-be-member"
    title = "A coordinator must belong to a member household"


class CoordinatorNotFound(NotFound):
    code = "coordinator-not-found"
    title = "The user is not a current coordinator"


class LastCoordinator(Conflict):
    code = "last-coordinator"
    title = "A producer group keeps at least one coordinator"


class CertificationNotFound(NotFound):
    code = "certification-not-found"
    title = "Certification not found"

    def __init__(self, certification_id: UUID) -> None:
        super().__init__(
            f"No certification {certification_id} of this producer group.", certification_id=str(certification_id)
        )


class CertificationRecorded(Conflict):
    code = "certification-already-recorded"
    title = "The certificate is already recorded"
