"""Every domain's models, so Base.metadata is complete for Alembic and the tests."""

from app.accounts.models import RefreshToken, User
from app.agreements.models import (
    Agreement,
    AgreementCancellation,
    AgreementMessage,
    AgreementVersion,
    Approval,
    CancellationApproval,
    Subscription,
    SubscriptionTransfer,
    VersionItem,
)
from app.api_keys.models import ApiKey
from app.catalogue.models import (
    ExchangeRate,
    Product,
    ProductCertification,
    ProductImage,
    TradingOrganisation,
    TradingOrganisationMember,
)
from app.collection.models import AccountApproval, AccountProposal, CollectionAccount, PaymentReference
from app.core.db import Base
from app.core.idempotency_models import IdempotencyRecord
from app.gatherings.models import Gathering, GatheringSignup
from app.groups.models import (
    ConsumerGroup,
    Coordinator,
    Household,
    HouseholdMember,
    Membership,
    MembershipRequest,
    Motion,
    MotionApproval,
    PickupStation,
    WaitingListEntry,
)
from app.harvests.models import Absence, Allocation, Harvest, HarvestLine, Surplus
from app.indicators.models import IndicatorSummary
from app.learning.models import LearningEvent, LearningSignup
from app.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from app.networks.models import Enrolment, EnrolmentConsent, MonitoringProgramme, Network, NetworkMember
from app.notifications.models import EventCursor, Notification, NotificationEmail, NotificationPreference
from app.outbox.models import EventAudience, OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.plans.models import PlanItem, ProductionPlan
from app.producers.models import Certification, FarmingHousehold, ProducerCoordinator, ProducerGroup
from app.registry.models import Pledge, PledgeCount
from app.statements.models import CsvMapping, StatementImport, StatementLine
from app.trade.models import TradeOrder, TradeOrderEvent, TradeOrderLine

__all__ = [
    "Absence",
    "AccountApproval",
    "AccountProposal",
    "Agreement",
    "AgreementCancellation",
    "AgreementMessage",
    "AgreementVersion",
    "Allocation",
    "ApiKey",
    "Approval",
    "Base",
    "CancellationApproval",
    "Certification",
    "CollectionAccount",
    "ConsumerGroup",
    "Coordinator",
    "CsvMapping",
    "Enrolment",
    "EnrolmentConsent",
    "EventAudience",
    "EventCursor",
    "ExchangeRate",
    "FarmingHousehold",
    "Gathering",
    "GatheringSignup",
    "Harvest",
    "HarvestLine",
    "Household",
    "HouseholdMember",
    "IdempotencyRecord",
    "IndicatorSummary",
    "LearningEvent",
    "LearningSignup",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "Membership",
    "MembershipRequest",
    "MonitoringProgramme",
    "Motion",
    "MotionApproval",
    "Network",
    "NetworkMember",
    "Notification",
    "NotificationEmail",
    "NotificationPreference",
    "OutboxEvent",
    "PaymentReference",
    "PickupStation",
    "PlanItem",
    "Pledge",
    "PledgeCount",
    "ProducerCoordinator",
    "ProducerGroup",
    "Product",
    "ProductCertification",
    "ProductImage",
    "ProductionPlan",
    "RefreshToken",
    "StatementImport",
    "StatementLine",
    "Subscription",
    "SubscriptionTransfer",
    "Surplus",
    "TradeOrder",
    "TradeOrderEvent",
    "TradeOrderLine",
    "TradingOrganisation",
    "TradingOrganisationMember",
    "User",
    "VersionItem",
    "WaitingListEntry",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
