"""Webhook endpoints, deliveries with their attempts, and events as the feed shows them."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from app.core.schemas import PLAIN_TEXT_PATTERN, Schema, Text
from app.outbox.events import EVENT_TYPES
from app.outbox.models import URL_MAX_LENGTH, DeliveryStatus, OrganisationKind


def _known_event_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}; the types are listed in the README")
    return value


def _each_once(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


EventType = Annotated[str, AfterValidator(_known_event_type), Field(json_schema_extra={"enum": list(EVENT_TYPES)})]
EventTypes = Annotated[
    list[EventType],
    AfterValidator(_each_once),
    Field(max_length=len(EVENT_TYPES), description="The event types to send; empty: every type."),
]
WebhookUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=URL_MAX_LENGTH, pattern=PLAIN_TEXT_PATTERN),
    Field(
        description="https:// URL on the public internet that receives the events.",
        examples=["https://shop.example/hooks"],
    ),
]


class WebhookEndpointCreate(Schema):
    organisation_kind: OrganisationKind
    organisation_id: UUID
    url: WebhookUrl
    event_types: EventTypes = []
    description: Text = ""


class WebhookEndpointUpdate(Schema):
    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    description: Text | None = None
    enabled: bool | None = Field(default=None, description="true enables a disabled endpoint and forgets its failures.")

    @model_validator(mode="after")
    def _nothing_is_cleared(self) -> "WebhookEndpointUpdate":
        cleared = sorted(field for field in self.model_fields_set if getattr(self, field) is None)
        if cleared:
            raise ValueError(f"{', '.join(cleared)} cannot be null; leave a field out to keep its value")
        return self


class WebhookEndpointRead(Schema):
    id: UUID
    organisation_kind: OrganisationKind
    organisation_id: UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None = Field(description="Since when no delivery has succeeded; null when healthy.")
    created_by: UUID
    created_at: datetime


class WebhookEndpointCreated(WebhookEndpointRead):
    secret: str = Field(
        description="Verifies the `webhook-signature` of every delivery (Standard Webhooks). Shown only now: keep it."
    )


class WebhookAttemptRead(Schema):
    id: UUID
    started_at: datetime
    duration_ms: int
    response_status: int | None
    error: str | None
    response_body: str = Field(description="The first 2 KiB of the answer.")


class WebhookDeliveryRead(Schema):
    id: UUID
    endpoint_id: UUID
    event_id: UUID = Field(description="Sent as `webhook-id`, the same on every attempt.")
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None = Field(description="When it is tried next; null once delivered or failed.")
    last_attempt_at: datetime | None
    created_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _no_next_attempt_once_settled(cls, value: Any) -> Any:
        if isinstance(value, dict) or getattr(value, "status", None) == DeliveryStatus.pending:
            return value
        return {name: getattr(value, name) for name in cls.model_fields if name != "next_attempt_at"} | {
            "next_attempt_at": None
        }


class WebhookDeliveryDetail(WebhookDeliveryRead):
    attempts: list[WebhookAttemptRead] = Field(description="Oldest first.")


class EventRead(Schema):
    id: UUID
    type: str
    occurred_at: datetime
    data: dict[str, Any]
