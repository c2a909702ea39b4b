"""The problems producer-group requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound
from app.groups.errors import (
    AlreadyCoordinator,
    AlreadyMember,
    CoordinatorMustBeMember,
    CoordinatorNotFound,
    GroupNotFound,
    HouseholdNotFound,
    LastCoordinator,
    MotionAlreadyApproved,
    MotionNoLongerApplies,
    MotionNotFound,
    MotionNotOpen,
    NotAMember,
    NotCoordinator,
    NotGroupMember,
    OwnTermNeedsNoMotion,
    QuorumAboveCoordinators,
    QuorumLoweringNeedsMotion,
    QuorumNotLowered,
    TermEndingNeedsMotion,
    UserNotFound,
)

# Households, users, memberships, coordinator terms, quorums and motions are the same for both kinds of
# group: their problems are the consumer groups' ones, re-exported so routes can declare them.
__all__ = [
    "AlreadyCoordinator",
    "AlreadyMember",
    "CertificationNotFound",
    "CertificationRecorded",
    "CoordinatorMustBeMember",
    "CoordinatorNotFound",
    "GroupNotFound",
    "HouseholdNotFound",
    "LastCoordinator",
    "MotionAlreadyApproved",
    "MotionNoLongerApplies",
    "MotionNotFound",
    "MotionNotOpen",
    "NotAMember",
    "NotCoordinator",
    "NotGroupMember",
    "NotProducerCoordinator",
    "NotProducerGroupMember",
    "OwnTermNeedsNoMotion",
    "ProducerGroupNotFound",
    "QuorumAboveCoordinators",
    "QuorumLoweringNeedsMotion",
    "QuorumNotLowered",
    "RemovalNeedsMotion",
    "RemovalNotPermitted",
    "TermEndingNeedsMotion",
    "UserNotFound",
]


class ProducerGroupNotFound(NotFound):
    code = "producer-group-not-found"
    title = "Producer group not found"

    def __init__(self, producer_group_id: UUID) -> None:
        super().__init__(f"No producer group {producer_group_id}.", producer_group_id=str(producer_group_id))


class NotProducerCoordinator(Forbidden):
    code = "not-producer-coordinator"
    title = "Only the producer group's coordinators may do this"


class NotProducerGroupMember(Forbidden):
    code = "not-producer-group-member"
    title = "Only the producer group's farming households and coordinators may see this"


class RemovalNotPermitted(Forbidden):
    code = "household-removal-not-permitted"
    title = "Only the household itself or a coordinator may remove it from the producer group"


class RemovalNeedsMotion(Conflict):
    code = "removal-needs-motion"
    title = "Removing another household needs a motion"


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
