"""Messages between the two groups of an agreement (principle 5): its members and coordinators on
either side write to the other, and both read the conversation."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.accounts.principal import Principal
from app.agreements import policies, repository
from app.agreements.models import AgreementMessage
from app.core.pagination import CursorPage, paginate


async def post_message(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, body: str
) -> AgreementMessage:
    """A member or coordinator of either group writes to the other; the message says which side wrote."""
    agreement, side = await policies.party_side(session, principal, agreement_id)
    author = await session.get_one(User, principal.user_id)
    message = AgreementMessage(
        agreement_id=agreement.id,
        author_user_id=author.id,
        author_display_name=author.display_name,
        side=side,
        body=body,
    )
    session.add(message)
    await session.flush()
    return message


async def list_messages(
    session: AsyncSession, principal: Principal, *, agreement_id: UUID, limit: int, cursor: str | None
) -> CursorPage:
    """The conversation of an agreement, oldest first."""
    agreement, _ = await policies.party_side(session, principal, agreement_id)
    return await paginate(
        session,
        repository.messages(agreement.id),
        created_at=AgreementMessage.created_at,
        id_column=AgreementMessage.id,
        limit=limit,
        cursor=cursor,
    )
