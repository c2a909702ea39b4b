"""The problems learning event requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound


class LearningEventNotFound(NotFound):
    code = "learning-event-not-found"
    title = "Learning event not found"

    def __init__(self, learning_event_id: UUID) -> None:
        super().__init__(f"There is no learning event {learning_event_id}.", learning_event_id=str(learning_event_id))


class NotNetworkHost(Forbidden):
    code = "not-network-host"
    title = "Only the network's coordinators and trainers host its learning events"


class NotATrainer(Forbidden):
    code = "not-a-trainer"
    title = "Only a trainer of a network hosts learning events in their own name"

    def __init__(self) -> None:
        super().__init__("Name the hosting network, or become a trainer of a network to host in your own name.")


class NotLearningEventHost(Forbidden):
    code = "not-learning-event-host"
    title = "Only the event's host may do this"


class LearningSignupsClosed(Conflict):
    code = "learning-signups-closed"
    title = "The learning event has started; sign-ups are closed"


class AlreadySignedUpForLearningEvent(Conflict):
    code = "already-signed-up-for-learning-event"
    title = "You are already signed up for the learning event"


class LearningEventFull(Conflict):
    code = "learning-event-full"
    title = "The learning event is full"


class LearningSignupNotFound(NotFound):
    code = "learning-signup-not-found"
    title = "No such sign-up for the learning event"


class AttendanceBeforeStart(Conflict):
    code = "attendance-before-start"
    title = "Attendance is recorded once the event has started"
