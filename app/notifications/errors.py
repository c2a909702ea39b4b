"""Problems with a user's notifications."""

from uuid import UUID

from app.core.errors import NotFound


class NotificationNotFound(NotFound):
    """Another user's notification reads as absent: what needs someone else is their own affair."""

    code = "notification-not-found"
    title = "Notification not found"

    def __init__(self, notification_id: UUID) -> None:
        super().__init__(f"You have no notification {notification_id}.", notification_id=str(notification_id))
