"""Problems with webhook endpoints, their deliveries and the event feed."""

from uuid import UUID

from app.core.errors import Conflict, NotFound, Unprocessable


class WebhookEndpointNotFound(NotFound):
    code = "webhook-endpoint-not-found"
    title = "Webhook endpoint not found"

    def __init__(self, endpoint_id: UUID) -> None:
        super().__init__(
            f"No webhook endpoint {endpoint_id} of an organisation you manage.", endpoint_id=str(endpoint_id)
        )


class WebhookDeliveryNotFound(NotFound):
    code = "webhook-delivery-not-found"
    title = "Webhook delivery not found"

    def __init__(self, delivery_id: UUID) -> None:
        super().__init__(
            f"No webhook delivery {delivery_id} of an organisation you manage.", delivery_id=str(delivery_id)
        )


class OrganisationNotFound(NotFound):
    """Another organisation's endpoints and events read as absent: who integrates with whom is its own affair."""

    code = "organisation-not-found"
    title = "Organisation not found"

    def __init__(self, organisation_id: UUID) -> None:
        super().__init__(
            f"No organisation {organisation_id} that you manage: its coordinators (groups) or owners "
            "(trading organisations) read its events and webhooks.",
            organisation_id=str(organisation_id),
        )


class WebhookUrlRefused(Unprocessable):
    code = "webhook-url-refused"
    title = "Webhooks cannot be sent to this URL"


class WebhookEndpointDisabled(Conflict):
    code = "webhook-endpoint-disabled"
    title = "The webhook endpoint is disabled"

    def __init__(self, endpoint_id: UUID) -> None:
        super().__init__(
            f"Webhook endpoint {endpoint_id} is disabled; enable it (PATCH enabled=true) to deliver again.",
            endpoint_id=str(endpoint_id),
        )
