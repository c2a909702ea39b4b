"""Every domain's models, so Base.metadata is complete for Alembic and the tests."""

from app.accounts.models import RefreshToken, User
from app.agreements.models import Agreement, AgreementVersion, Approval, Subscription, VersionItem
from app.core.db import Base
from app.core.idempotency_models import IdempotencyRecord
from app.gatherings.models import AgreementMessage, Gathering, GatheringSignup
from app.groups.models import (
    ConsumerGroup,
    Coordinator,
    Household,
    HouseholdMember,
    Membership,
    PickupStation,
    WaitingListEntry,
)
from app.harvests.models import Absence, Allocation, Harvest, HarvestLine, Surplus
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from app.plans.models import PlanItem, ProductionPlan
from app.producers.models import Certification, FarmingHousehold, ProducerCoordinator, ProducerGroup

__all__ = [
    "Absence",
    "Agreement",
    "AgreementMessage",
    "AgreementVersion",
    "Allocation",
    "Approval",
    "Base",
    "Certification",
    "ConsumerGroup",
    "Coordinator",
    "FarmingHousehold",
    "Gathering",
    "GatheringSignup",
    "Harvest",
    "HarvestLine",
    "Household",
    "HouseholdMember",
    "IdempotencyRecord",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "Membership",
    "PickupStation",
    "PlanItem",
    "ProducerCoordinator",
    "ProducerGroup",
    "ProductionPlan",
    "RefreshToken",
    "Subscription",
    "Surplus",
    "User",
    "VersionItem",
    "WaitingListEntry",
]
