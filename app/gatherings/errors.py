"""The problems event requests can answer with; `code` is part of the API."""

from uuid import UUID

from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable


class EventNotFound(NotFound):
    code = "event-not-found"
    title = "Event not found"

    def __init__(self, event_id: UUID) -> None:
        # Also for a private event of another group: what the caller may not see does not exist for them.
        super().__init__(f"No event {event_id} that you can see.", event_id=str(event_id))


class HostGroupNotFound(NotFound):
    code = "host-group-not-found"
    title = "Host group not found"

    def __init__(self, group_id: UUID) -> None:
        super().__init__(f"No consumer group or producer group {group_id}.", group_id=str(group_id))


class NotHostCoordinator(Forbidden):
    code = "not-host-coordinator"
    title = "Only a coordinator of the hosting group may do this"


class InvalidDateRange(Unprocessable):
    code = "invalid-date-range"
    title = "The date range is not valid"


class AlreadySignedUp(Conflict):
    code = "already-signed-up"
    title = "You are already signed up for the event"


class EventFull(Conflict):
    code = "event-full"
    title = "The event is full"


class SignupsClosed(Conflict):
    code = "signups-closed"
    title = "The event has started; sign-ups are closed"


class SignupNotFound(NotFound):
    code = "signup-not-found"
    title = "You are not signed up for the event"
