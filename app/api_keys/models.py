"""API keys: an organisation's credentials for its integrations, stored only as digests."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now
from app.outbox.models import OrganisationKind

DIGEST_LENGTH = 64  # hex SHA-256
NAME_MAX_LENGTH = 100
PREFIX_LENGTH = 10  # "tk_" and seven characters: enough to tell keys apart in a list, useless to guess with


class ApiKey(Base):
    __tablename__ = "api_key"
    __table_args__ = (Index("ix_api_key_organisation", "organisation_id", "created_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    # SHA-256 of the whole key, the only form it is kept in. A fast hash is right here: a key carries 256
    # random bits, so unlike a password it cannot be guessed from its digest, and every request checks one.
    secret_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH))
    organisation_kind: Mapped[OrganisationKind] = mapped_column(Enum(OrganisationKind, native_enum=False, length=32))
    organisation_id: Mapped[UUID]
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Written at most once a minute (service.LAST_USE_RESOLUTION), not on every request.
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
