"""Who may host a learning event and record who attended: a network's coordinators and trainers for the
network, and a trainer of any network in their own name."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.principal import Principal
from app.learning import repository
from app.learning.errors import NotATrainer, NotLearningEventHost, NotNetworkHost
from app.learning.models import LearningEvent
from app.networks.errors import NetworkNotFound
from app.networks.models import NetworkRole


async def require_may_host(session: AsyncSession, principal: Principal, *, network_id: UUID | None) -> None:
    if network_id is None:
        if not await repository.has_network_role(session, principal.user_id, (NetworkRole.trainer,)):
            raise NotATrainer()
        return
    network = await repository.get_network(session, network_id)
    if network is None:
        raise NetworkNotFound(network_id)
    if not await repository.has_network_role(session, principal.user_id, repository.HOST_ROLES, network_id=network.id):
        raise NotNetworkHost(f"Only a coordinator or trainer of '{network.name}' hosts its learning events.")


async def require_host(session: AsyncSession, principal: Principal, event: LearningEvent) -> None:
    """The event's trainer, or a coordinator or trainer of its network (as it is now: a network's new
    trainer takes over its events, one who left no longer acts for them)."""
    if event.trainer_id is not None and event.trainer_id == principal.user_id:
        return
    if event.network_id is not None and await repository.has_network_role(
        session, principal.user_id, repository.HOST_ROLES, network_id=event.network_id
    ):
        return
    raise NotLearningEventHost(f"Only the host of '{event.title}' may do this.", learning_event_id=str(event.id))
