"""API keys as their managers create and list them; the key itself appears only in the answer to its creation."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints

from app.api_keys.models import NAME_MAX_LENGTH
from app.api_keys.scopes import Scope
from app.core.schemas import Moment, Name, Schema
from app.outbox.models import OrganisationKind


def _each_once(values: list[Scope]) -> list[Scope]:
    return list(dict.fromkeys(values))


Scopes = Annotated[
    list[Scope],
    AfterValidator(_each_once),
    Field(min_length=1, max_length=len(Scope), description="What the key may do; see the README's scopes table."),
]


class ApiKeyCreate(Schema):
    name: Annotated[
        Name,
        StringConstraints(max_length=NAME_MAX_LENGTH),
        Field(description="What the key is for, e.g. the storefront it serves.", examples=["Web shop"]),
    ]
    organisation_kind: OrganisationKind
    organisation_id: UUID
    scopes: Scopes
    expires_at: Moment | None = Field(default=None, description="When the key stops working; null: never.")


class ApiKeyRead(Schema):
    id: UUID
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it by.")
    organisation_kind: OrganisationKind
    organisation_id: UUID
    scopes: list[Scope]
    created_by: UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="When the key was last used, to the minute.")


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="Send as `Authorization: Bearer <key>`. Shown only now and stored hashed: keep it.")
