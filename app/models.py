"""Every domain's models, so Base.metadata is complete for Alembic and the tests."""

from app.accounts.models import RefreshToken, User
from app.core.db import Base
from app.groups.models import (
    ConsumerGroup,
    Coordinator,
    Household,
    HouseholdMember,
    Membership,
    PickupStation,
    WaitingListEntry,
)
from app.producers.models import Certification, FarmingHousehold, ProducerCoordinator, ProducerGroup

__all__ = [
    "Base",
    "Certification",
    "ConsumerGroup",
    "Coordinator",
    "FarmingHousehold",
    "Household",
    "HouseholdMember",
    "Membership",
    "PickupStation",
    "ProducerCoordinator",
    "ProducerGroup",
    "RefreshToken",
    "User",
    "WaitingListEntry",
]
