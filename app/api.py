"""The versioned API: the one module that knows every domain's routers."""

from fastapi import FastAPI

from app.accounts.router import router as accounts_router
from app.agreements.router import messages_router as agreements_messages_router
from app.agreements.router import router as agreements_router
from app.agreements.router import transfers_router as agreements_transfers_router
from app.api_keys.dependencies import ApiKeyAuthority
from app.api_keys.router import router as api_keys_router
from app.cancellations.router import router as cancellations_router
from app.catalogue.router import changes_router as catalogue_changes_router
from app.catalogue.router import organisations_router as catalogue_organisations_router
from app.catalogue.router import products_router as catalogue_products_router
from app.catalogue.router import rates_router as catalogue_rates_router
from app.collection.router import router as collection_router
from app.core.routing import API_PREFIX
from app.gatherings.router import router as gatherings_router
from app.groups.router import households_router
from app.groups.router import router as groups_router
from app.harvests.router import router as harvests_router
from app.indicators.router import router as indicators_router
from app.learning.router import router as learning_router
from app.networks.router import router as networks_router
from app.notifications.router import router as notifications_router
from app.payments.router import router as payments_router
from app.plans.router import router as plans_router
from app.producers.router import motions_router
from app.producers.router import router as producers_router
from app.registry.router import router as registry_router
from app.registry.router import summary_router as registry_summary_router
from app.reports.router import router as reports_router
from app.statements.router import router as statements_router
from app.trade.router import router as trade_router
from app.webhooks.router import deliveries_router as webhooks_deliveries_router
from app.webhooks.router import endpoints_router as webhooks_endpoints_router
from app.webhooks.router import events_router as webhooks_events_router

ROUTERS = [
    accounts_router,
    households_router,
    groups_router,
    producers_router,
    motions_router,
    plans_router,
    agreements_router,
    agreements_messages_router,
    agreements_transfers_router,
    cancellations_router,
    gatherings_router,
    harvests_router,
    payments_router,
    collection_router,
    reports_router,
    networks_router,
    statements_router,
    catalogue_organisations_router,
    catalogue_products_router,
    catalogue_changes_router,
    catalogue_rates_router,
    trade_router,
    webhooks_endpoints_router,
    webhooks_deliveries_router,
    webhooks_events_router,
    api_keys_router,
    notifications_router,
    registry_router,
    registry_summary_router,
    learning_router,
    indicators_router,
]


def include_routers(app: FastAPI) -> None:
    """Each directly under the app: a router inside a router would be matched level by level. Authentication
    (in accounts) resolves API keys through the authority given here, which knows the organisations above it."""
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.state.api_key_authority = ApiKeyAuthority()
