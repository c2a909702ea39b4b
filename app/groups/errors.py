from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound
from app.groups.models import MAX_HOUSEHOLDS


class HouseholdNotFound(NotFound):
    code = "household-not-found"
    title = "Household not found"

    def __init__(self, household_id: UUID, *, of_yours: bool = True) -> None:
        # Where only its members act for a household, someone else's reads as missing; where a coordinator
        # admits one into a producer group, any household may be named.
        whose = " that you belong to" if of_yours else ""
        super().__init__(f"No household {household_id}{whose}.", household_id=str(household_id))


class UserNotFound(NotFound):
    code = "user-not-found"
    title = "User not found"

    def __init__(self, user_id: UUID) -> None:
        super().__init__(f"No user {user_id}.", user_id=str(user_id))


class AlreadyHouseholdMember(Conflict):
    code = "already-household-member"
    title = "The user already belongs to the household"


class HouseholdMemberNotFound(NotFound):
    code = "household-member-not-found"
    title = "The user does not belong to the household"


class LastHouseholdMember(Conflict):
    code = "last-household-member"
    title = "A household keeps at least one member"


class AlreadyInGroupThroughAnotherHousehold(Conflict):
    """Within one consumer group a user counts once: a user eats in at most one of its member households."""

    code = "already-in-group-through-another-household"
    title = "The user already belongs to the group through another household"

    def __init__(self, *, user_id: UUID, display_name: str, group_id: UUID, group_name: str) -> None:
        super().__init__(
            f"{display_name} already belongs to '{group_name}' through another household; "
            "within a group each person counts once.",
            user_id=str(user_id),
            group_id=str(group_id),
        )


class GroupNotFound(NotFound):
    code = "group-not-found"
    title = "Consumer group not found"

    def __init__(self, group_id: UUID) -> None:
        super().__init__(f"No consumer group {group_id}.", group_id=str(group_id))


class NotGroupMember(Forbidden):
    code = "not-group-member"
    title = "Only the group's members may do this"


class NotCoordinator(Forbidden):
    code = "not-coordinator"
    title = "Only the group's coordinators may do this"


class GroupFull(Conflict):
    code = "group-full"
    title = "The consumer group is full"

    def __init__(self, group_id: UUID) -> None:
        super().__init__(
            f"The group already has {MAX_HOUSEHOLDS} households, the most a Teikei group may have; "
            "your household may join its waiting list.",
            group_id=str(group_id),
        )


class AlreadyMember(Conflict):
    code = "already-member"
    title = "The household already belongs to the group"


class NotAMember(NotFound):
    code = "membership-not-found"
    title = "The household does not belong to the group"


class GroupHasRoom(Conflict):
    code = "group-has-room"
    title = "The group has room; join it directly"


class AdmissionByApproval(Conflict):
    code = "admission-by-approval"
    title = "The group admits households by approval; ask to join instead"


class AlreadyWaiting(Conflict):
    code = "already-waiting"
    title = "The household is already on the waiting list"


class NotWaiting(NotFound):
    code = "waiting-list-entry-not-found"
    title = "The household is not on the waiting list"


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
    title = "A group keeps at least one coordinator"


class QuorumAboveCoordinators(Conflict):
    code = "quorum-above-coordinators"
    title = "The quorum cannot exceed the number of coordinators"


class QuorumLoweringNeedsMotion(Conflict):
    code = "quorum-lowering-needs-motion"
    title = "Lowering the approval quorum needs a motion"


class TermEndingNeedsMotion(Conflict):
    code = "term-ending-needs-motion"
    title = "Ending another coordinator's term needs a motion"


class TooManyHouseholds(Conflict):
    code = "too-many-households"
    title = "The account belongs to as many households as it may"

    def __init__(self, limit: int, *, yourself: bool = True) -> None:
        who = "You already belong" if yourself else "That user already belongs"
        super().__init__(f"{who} to {limit} households, the most one account may belong to.", limit=limit)


class MembershipRequestNotFound(NotFound):
    code = "membership-request-not-found"
    title = "Membership request not found"

    def __init__(self, request_id: UUID) -> None:
        super().__init__(f"No membership request {request_id}.", request_id=str(request_id))


class RequestAlreadyPending(Conflict):
    code = "membership-request-pending"
    title = "The household already asked to join the group"


class RequestNotPending(Conflict):
    code = "membership-request-decided"
    title = "The membership request was already decided"


class MotionNotFound(NotFound):
    code = "motion-not-found"
    title = "Motion not found"

    def __init__(self, motion_id: UUID) -> None:
        super().__init__(f"No motion {motion_id}.", motion_id=str(motion_id))


class QuorumNotLowered(Conflict):
    code = "quorum-not-lowered"
    title = "The motion's quorum is not lower than the group's"


class MotionAlreadyApproved(Conflict):
    code = "motion-already-approved"
    title = "You already approved the motion"


class MotionNotOpen(Conflict):
    code = "motion-not-open"
    title = "The motion was already carried"


class MotionNoLongerApplies(Conflict):
    code = "motion-no-longer-applies"
    title = "The motion's change no longer applies"


class OwnTermNeedsNoMotion(Conflict):
    code = "own-term-needs-no-motion"
    title = "Step down directly; a motion ends another coordinator's term"
