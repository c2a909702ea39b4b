"""Who is calling, as every service sees it."""

from dataclasses import dataclass
from uuid import UUID

# Keys start with it, so one Authorization header carries either credential and the two are told apart
# before any lookup: a JWT never starts with "tk_".
API_KEY_PREFIX = "tk_"


@dataclass(frozen=True)
class ApiKeyGrant:
    """What an integrator's key adds to its creator's rights: it narrows them to one organisation and to
    the operations its scopes name."""

    key_id: UUID
    organisation_kind: str
    organisation_id: UUID
    scopes: frozenset[str]


@dataclass(frozen=True)
class Principal:
    user_id: UUID  # a key acts as the user who created it, within that user's rights of the moment
    api_key: ApiKeyGrant | None = None

    @property
    def caller_id(self) -> UUID:
        """Whose Idempotency-Key records a request makes: a key's own, so it never replays an answer its
        creator had with the same key, nor the creator one of the key's."""
        return self.api_key.key_id if self.api_key is not None else self.user_id

    def reaches(self, organisation_id: UUID) -> bool:
        """Whether the caller may act for this organisation at all. A user reaches every organisation (their
        rights there are for its policies to judge); a key only its own."""
        return self.api_key is None or self.api_key.organisation_id == organisation_id
