"""Problems with API keys: when they are refused, and what their creators may not do with them."""

from uuid import UUID

from app.core.errors import Forbidden, NotAuthenticated, NotFound, Unprocessable


class InvalidApiKey(NotAuthenticated):
    """One code for an unknown, revoked or expired key: the answer tells a guesser nothing."""

    code = "invalid-api-key"
    title = "The API key is not valid"

    def __init__(self) -> None:
        super().__init__(
            "The API key is unknown, revoked or expired; a coordinator or owner of its organisation issues new ones."
        )


class ApiKeyCreatorLostRights(Forbidden):
    """A key acts within its creator's rights at each use: once they no longer manage the organisation, the
    key stops working with them, until someone who does issues a new one."""

    code = "api-key-creator-lost-rights"
    title = "The API key's creator no longer manages its organisation"

    def __init__(self, organisation_id: UUID) -> None:
        super().__init__(
            f"Whoever created this key no longer coordinates or owns organisation {organisation_id}; "
            "a current coordinator or owner must issue a new key.",
            organisation_id=str(organisation_id),
        )


class InsufficientScope(Forbidden):
    code = "insufficient-scope"
    title = "The API key may not call this operation"

    def __init__(self, operation: str, required_scope: str | None) -> None:
        if required_scope is None:
            detail = f"{operation} needs a user's login; no API key may call it."
        else:
            detail = f"{operation} needs an API key with the scope '{required_scope}'."
        super().__init__(detail, operation=operation, required_scope=required_scope)


class ApiKeysNeedUser(Forbidden):
    code = "api-keys-need-user"
    title = "API keys are managed by users only"

    def __init__(self) -> None:
        super().__init__("An API key cannot issue, list or revoke API keys; log in as a coordinator or owner.")


class ApiKeyNotFound(NotFound):
    code = "api-key-not-found"
    title = "API key not found"

    def __init__(self, key_id: UUID) -> None:
        super().__init__(f"No API key {key_id} of an organisation you manage.", api_key_id=str(key_id))


class ApiKeyExpiryNotInFuture(Unprocessable):
    code = "api-key-expiry-not-in-future"
    title = "The API key's expiry is not in the future"
