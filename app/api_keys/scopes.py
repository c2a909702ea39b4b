"""What an API key may call: one table from operation to scope, read by the authentication of every request.

An operation missing here is for users only (key management, household and membership changes, money
for agreements); a key calling it is refused, whatever its scopes. A test walks every route to check that
each is public, for users only, or mapped here to a scope."""

import enum


class Scope(enum.StrEnum):
    catalogue_read = "catalogue:read"
    catalogue_write = "catalogue:write"
    trade_orders_read = "trade_orders:read"
    trade_orders_write = "trade_orders:write"
    plans_read = "plans:read"
    agreements_read = "agreements:read"
    webhooks_read = "webhooks:read"
    webhooks_write = "webhooks:write"


OPERATION_SCOPES: dict[str, Scope] = {
    # The trading organisations' directory; the catalogue's products and changes are public already.
    "GET /v1/trading-organisations": Scope.catalogue_read,
    "GET /v1/trading-organisations/{organisation_id}": Scope.catalogue_read,
    # The key's own trading organisation's products.
    "POST /v1/catalogue/products": Scope.catalogue_write,
    "PATCH /v1/catalogue/products/{product_id}": Scope.catalogue_write,
    "DELETE /v1/catalogue/products/{product_id}": Scope.catalogue_write,
    "GET /v1/trade-orders": Scope.trade_orders_read,
    "GET /v1/trade-orders/{order_id}": Scope.trade_orders_read,
    "POST /v1/trade-orders": Scope.trade_orders_write,
    "POST /v1/trade-orders/{order_id}/confirm": Scope.trade_orders_write,
    "POST /v1/trade-orders/{order_id}/request-prefinance": Scope.trade_orders_write,
    "POST /v1/trade-orders/{order_id}/prefinance": Scope.trade_orders_write,
    "POST /v1/trade-orders/{order_id}/ship": Scope.trade_orders_write,
    "POST /v1/trade-orders/{order_id}/deliver": Scope.trade_orders_write,
    "POST /v1/trade-orders/{order_id}/settle": Scope.trade_orders_write,
    "POST /v1/trade-orders/{order_id}/cancel": Scope.trade_orders_write,
    "GET /v1/production-plans": Scope.plans_read,
    "GET /v1/production-plans/{plan_id}": Scope.plans_read,
    "GET /v1/producer-groups/{producer_group_id}/production-plans": Scope.plans_read,
    "GET /v1/agreements": Scope.agreements_read,
    "GET /v1/agreements/{agreement_id}": Scope.agreements_read,
    "GET /v1/webhook-endpoints": Scope.webhooks_read,
    "GET /v1/webhook-endpoints/{endpoint_id}": Scope.webhooks_read,
    "GET /v1/webhook-deliveries": Scope.webhooks_read,
    "GET /v1/webhook-deliveries/{delivery_id}": Scope.webhooks_read,
    "GET /v1/events": Scope.webhooks_read,
    "POST /v1/webhook-endpoints": Scope.webhooks_write,
    "PATCH /v1/webhook-endpoints/{endpoint_id}": Scope.webhooks_write,
    "DELETE /v1/webhook-endpoints/{endpoint_id}": Scope.webhooks_write,
    "POST /v1/webhook-deliveries/{delivery_id}/redeliveries": Scope.webhooks_write,
}
