"""HTTP edge of the caller's own notifications and notification preferences."""

from typing import Annotated
from uuid import UUID

from fastapi import Query

from app.accounts.dependencies import AppSettings, CurrentUser
from app.core.db import DbSession
from app.core.errors import NotAuthenticated, problem_responses
from app.core.pagination import Cursor, InvalidCursor, Limit
from app.core.routing import DomainRouter
from app.core.schemas import Page
from app.notifications import errors, service
from app.notifications.schemas import (
    NotificationPreferencesRead,
    NotificationPreferencesUpdate,
    NotificationRead,
    NotificationsMarkedRead,
)

router = DomainRouter(prefix="/me", tags=["notifications"], responses=problem_responses(NotAuthenticated))


@router.get("/notifications", response_model=Page[NotificationRead], responses=problem_responses(InvalidCursor))
async def list_my_notifications(
    session: DbSession,
    principal: CurrentUser,
    unread: Annotated[bool, Query(description="Only those not marked read yet.")] = False,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[NotificationRead]:
    """What needs you, newest first: approvals awaited, payments due, harvests shared out, pickups, motions."""
    page = await service.list_notifications(session, principal, unread_only=unread, limit=limit, cursor=cursor)
    return Page[NotificationRead](
        data=[NotificationRead.of(row) for row in page.rows], has_more=page.has_more, next_cursor=page.next_cursor
    )


@router.post(
    "/notifications/read",
    response_model=NotificationsMarkedRead,
    responses=problem_responses(),
)
async def mark_all_my_notifications_read(session: DbSession, principal: CurrentUser) -> NotificationsMarkedRead:
    """Mark every notification of yours read."""
    return NotificationsMarkedRead(marked_read=await service.mark_all_read(session, principal))


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationRead,
    responses=problem_responses(errors.NotificationNotFound),
)
async def mark_my_notification_read(
    notification_id: UUID, session: DbSession, principal: CurrentUser
) -> NotificationRead:
    """Mark one notification of yours read; marking it again keeps when it was first read."""
    return NotificationRead.of(await service.mark_read(session, principal, notification_id))


@router.get("/notification-preferences", response_model=NotificationPreferencesRead)
async def read_my_notification_preferences(
    session: DbSession, principal: CurrentUser, settings: AppSettings
) -> NotificationPreferencesRead:
    """Which kinds of notification you get, which by e-mail, and how many days ahead payments are reminded."""
    return await service.get_preferences(session, principal, settings=settings)


@router.put("/notification-preferences", response_model=NotificationPreferencesRead)
async def set_my_notification_preferences(
    body: NotificationPreferencesUpdate, session: DbSession, principal: CurrentUser, settings: AppSettings
) -> NotificationPreferencesRead:
    """Choose which kinds of notification you get, which by e-mail, and the reminder days, all at once."""
    return await service.set_preferences(session, principal, data=body, settings=settings)
