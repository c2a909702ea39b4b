"""Problems with networks, their members, programmes and enrolments."""

from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound


class NetworkNotFound(NotFound):
    code = "network-not-found"
    title = "Network not found"

    def __init__(self, network_id: UUID) -> None:
        super().__init__(f"There is no network {network_id}.", network_id=str(network_id))


class NotNetworkMember(Forbidden):
    """A network's members and enrolments are for its members alone."""

    code = "not-network-member"
    title = "Only the network's members may do this"


class NotNetworkCoordinator(Forbidden):
    code = "not-network-coordinator"
    title = "Only the network's coordinators may do this"


class NetworkMemberNotFound(NotFound):
    code = "network-member-not-found"
    title = "Network member not found"

    def __init__(self, network_id: UUID, user_id: UUID) -> None:
        super().__init__(
            f"User {user_id} is not a member of network {network_id}.", network_id=str(network_id), user_id=str(user_id)
        )


class AlreadyNetworkMember(Conflict):
    """A person holds one role in a network: change the role rather than add them again."""

    code = "already-network-member"
    title = "The user is a member of the network already"


class LastNetworkCoordinator(Conflict):
    """A network is never without a coordinator: appoint another first."""

    code = "last-network-coordinator"
    title = "The network's last coordinator stays"


class ProgrammeNotFound(NotFound):
    code = "programme-not-found"
    title = "Monitoring programme not found"

    def __init__(self, programme_id: UUID) -> None:
        super().__init__(f"There is no monitoring programme {programme_id}.", programme_id=str(programme_id))


class ProgrammeEnded(Conflict):
    """A programme past its end enrols no one new."""

    code = "programme-ended"
    title = "The monitoring programme has ended"


class EnrolmentNotFound(NotFound):
    """No such enrolment, or none the caller may see: only the network's members and the CBE's
    coordinators see one."""

    code = "enrolment-not-found"
    title = "Enrolment not found"

    def __init__(self, enrolment_id: UUID) -> None:
        super().__init__(f"There is no enrolment {enrolment_id} you may see.", enrolment_id=str(enrolment_id))


class EnrolmentAlreadyOpen(Conflict):
    """The CBE is already proposed for, or enrolled in, the programme."""

    code = "enrolment-already-open"
    title = "The CBE is already proposed for or enrolled in this programme"


class EnrolmentNotProposed(Conflict):
    """Consent is given to a proposal; this enrolment was already enrolled, declined or withdrawn."""

    code = "enrolment-not-proposed"
    title = "The enrolment is not awaiting consent"


class EnrolmentAlreadyConsented(Conflict):
    code = "enrolment-already-consented"
    title = "You already consented to this enrolment"


class EnrolmentEnded(Conflict):
    """A declined or withdrawn enrolment stays as history; propose a new one to enrol again."""

    code = "enrolment-ended"
    title = "The enrolment has ended already"


class NotCbeCoordinator(Forbidden):
    """The CBE's consent is its coordinators' (a trading organisation's owners')."""

    code = "not-cbe-coordinator"
    title = "Only the CBE's coordinators may do this"
