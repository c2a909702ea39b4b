"""Who may act on a notification: its own user alone."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.notifications import repository
from app.notifications.errors import NotificationNotFound
from app.notifications.models import Notification


async def own_notification(session: AsyncSession, principal: Principal, notification_id: UUID) -> Notification:
    """The caller's notification; another user's is not found, as one that does not exist."""
    notification = await repository.get_own(session, principal.user_id, notification_id)
    if notification is None:
        raise NotificationNotFound(notification_id)
    return notification
