"""Rate limits per API key, per user, and per client address for anonymous calls, announced on every
counted response with the `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers-11
(structured-field lists of a String naming the policy, with `q` quota and `w` window in the policy, `r`
remaining and `t` seconds until more is available in the current limit):

    RateLimit-Policy: "per-user";q=300;w=60
    RateLimit: "per-user";r=297;t=1

A caller over its limit gets `429 rate-limited` (problem+json) with `Retry-After` and the same fields.

The caller is told apart without the database, so the check costs no query:
- `Authorization: Bearer tk_…` is an API key, counted under its SHA-256 (the key itself is never stored);
  whether the key exists is the route's concern, which answers 401 to a made-up one.
- `Authorization: Bearer <access token>` whose signature and expiry verify is its user, from whichever
  address it comes.
- anything else, an access token that does not verify included, is anonymous, counted per client address
  (IPv6 per /64, as failed logins are).

Counts are kept in a moving window, as failed logins are: exact, so what `r` and `t` announce is what the next
request meets, and no double burst at the turn of a window (a fixed window allows one, and a sliding window
counter's estimate lets one request more through at each turn). The price is one entry per request in the
window, at most the quota (600 timestamps for an API key) per caller.
"""

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jwt
import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import security
from app.core.config import Settings
from app.core.errors import TooManyRequests, problem

API_KEY_PREFIX = "tk_"
COUNTS = "requests"
UNKNOWN_KEYS = "unknown-keys"  # an address's requests with a key refused as unknown
# Health checks are probed every few seconds by the platform; the docs load a dozen assets a page.
UNCOUNTED_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc"})
UNCOUNTED_PREFIXES = ("/docs/",)
# A Redis that does not answer must not hold requests: each count then waits at most this long.
REDIS_TIMEOUT_SECONDS = 0.5
STORAGE_ERRORS = (StorageError, OSError, TimeoutError)


class RateLimited(TooManyRequests):
    code = "rate-limited"
    title = "Rate limit exceeded"


@dataclass(frozen=True)
class Policy:
    """One quota: its name in the RateLimit fields, and its limit in the moving window."""

    name: str
    limit: RateLimitItem

    @property
    def field(self) -> str:
        return f'"{self.name}";q={self.limit.amount};w={self.limit.get_expiry()}'


@dataclass(frozen=True)
class Caller:
    policy: Policy
    key: str


class RateLimitCounts:
    """The policies and where their counts are kept (RATE_LIMIT_STORAGE_URI: memory://, or Redis shared by
    every worker and replica)."""

    def __init__(
        self,
        storage_uri: str,
        *,
        per_api_key: str,
        per_user: str,
        anonymous: str,
        key_prefix: str = "LIMITS",
        timeout_seconds: float = REDIS_TIMEOUT_SECONDS,
    ) -> None:
        uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        options: dict[str, float | str] = {}
        if "redis" in uri.split("://", 1)[0] or "valkey" in uri.split("://", 1)[0]:
            options = {
                "key_prefix": key_prefix,
                "connect_timeout": timeout_seconds,
                "stream_timeout": timeout_seconds,
            }
        storage = storage_from_string(uri, wrap_exceptions=True, **options)
        assert isinstance(storage, Storage)  # an async+ scheme gives an asyncio storage
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.per_api_key = Policy("per-api-key", parse(per_api_key))
        self.per_user = Policy("per-user", parse(per_user))
        self.anonymous = Policy("per-address", parse(anonymous))

    @classmethod
    def from_settings(cls, settings: Settings) -> "RateLimitCounts":
        return cls(
            settings.rate_limit_storage_uri,
            per_api_key=settings.rate_limit_per_api_key,
            per_user=settings.rate_limit_per_user,
            anonymous=settings.rate_limit_anonymous,
        )

    async def reset(self) -> None:
        """Forget every count (of this key prefix only, on Redis)."""
        await self.storage.reset()


@dataclass(frozen=True)
class Count:
    allowed: bool
    remaining: int
    reset_in: int  # whole seconds until more of the quota is available


class RateLimits:
    """Counts each request against its caller's policy before the route runs, and answers 429 once the
    policy's quota is used up. Installed inside the CORS middleware (a preflight is answered before it is
    counted) and the request context (a 429 has its request id, and is logged and measured)."""

    def __init__(self, app: ASGIApp, jwt_secret: str, counted_address: Callable[[str], str]) -> None:
        self.app = app
        self.jwt_secret = jwt_secret
        self.counted_address = counted_address
        self.logger = structlog.get_logger("teikei.rate_limits")
        self.storage_failing = False

    async def _count_key_request(
        self, counts: RateLimitCounts, caller: Caller, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """A key's request is counted for the key. Whether the key exists only the route knows, so each
        made-up key would start a count of its own: the keys an address sends that are refused (401) are
        counted for that address too, under the anonymous quota, and once it is used up that address's
        key requests are refused before any key is looked up."""
        address = self._address(counts, scope)
        try:
            unknown_keys_left = await counts.limiter.test(
                address.policy.limit, UNKNOWN_KEYS, address.policy.name, address.key
            )
        except STORAGE_ERRORS:
            unknown_keys_left = True  # as for any count: a lost counter lets requests through
        if not unknown_keys_left:
            count = await self._count(counts, address, name=UNKNOWN_KEYS, hit=False)
            if count is not None:
                await self._refuse(address.policy, count, scope, receive, send)
                return
        status = 0

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self._counted(counts, caller, scope, receive, noting_status)
        if status == 401:
            await self._count(counts, address, name=UNKNOWN_KEYS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _uncounted(scope["path"]):
            await self.app(scope, receive, send)
            return
        # Read from the app's state on each request, as the login throttle is, so it can be replaced there.
        counts: RateLimitCounts = scope["app"].state.rate_limits
        caller = self.caller(counts, scope)
        if caller.policy is counts.per_api_key:
            await self._count_key_request(counts, caller, scope, receive, send)
            return
        await self._counted(counts, caller, scope, receive, send)

    async def _counted(
        self, counts: RateLimitCounts, caller: Caller, scope: Scope, receive: Receive, send: Send
    ) -> None:
        count = await self._count(counts, caller)
        if count is None:
            await self.app(scope, receive, send)
            return
        if not count.allowed:
            await self._refuse(caller.policy, count, scope, receive, send)
            return
        fields = _fields(caller.policy, count)

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *fields]
            await send(message)

        await self.app(scope, receive, send_with_fields)

    def caller(self, counts: RateLimitCounts, scope: Scope) -> Caller:
        token = _bearer_token(scope["headers"])
        if token is not None and token.startswith(API_KEY_PREFIX):
            return Caller(counts.per_api_key, hashlib.sha256(token.encode()).hexdigest())
        if token is not None:
            try:
                claims = security.read_access_token(token, secret=self.jwt_secret)
            except jwt.InvalidTokenError:
                pass  # a forged or expired token is no user's: counted for its address
            else:
                return Caller(counts.per_user, str(claims["sub"]))
        return self._address(counts, scope)

    def _address(self, counts: RateLimitCounts, scope: Scope) -> Caller:
        client = scope.get("client")
        return Caller(counts.anonymous, self.counted_address(client[0] if client else ""))

    async def _count(
        self, counts: RateLimitCounts, caller: Caller, *, name: str = COUNTS, hit: bool = True
    ) -> Count | None:
        """The request counted; None when the counts cannot be reached.

        Then the request goes through uncounted: refusing every request while Redis is away would turn
        a lost counter into an outage of the whole API, and the limits guard against overuse, not
        against access. The failure is logged once per outage, not on every request."""
        limiter, limit = counts.limiter, caller.policy.limit
        try:
            allowed = await limiter.hit(limit, name, caller.policy.name, caller.key) if hit else False
            stats = await limiter.get_window_stats(limit, name, caller.policy.name, caller.key)
        except STORAGE_ERRORS as error:
            if not self.storage_failing:
                self.storage_failing = True
                self.logger.warning("rate_limits_not_counted", reason=str(error) or type(error).__name__)
            return None
        if self.storage_failing:
            self.storage_failing = False
            self.logger.info("rate_limits_counted_again")
        reset_in = max(0, math.ceil(stats.reset_time - time.time()))
        return Count(allowed, stats.remaining, reset_in)

    async def _refuse(self, policy: Policy, count: Count, scope: Scope, receive: Receive, send: Send) -> None:
        # Retry-After is never earlier than the end of the effective window the RateLimit field announces.
        retry_after = max(1, count.reset_in)
        count = Count(allowed=False, remaining=0, reset_in=retry_after)
        error = RateLimited(
            f"Too many requests under the {policy.name} limit of {policy.limit.amount} per "
            f"{policy.limit.get_expiry()} seconds; try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
        headers = {"Retry-After": str(retry_after)}
        headers.update((name.decode(), value.decode()) for name, value in _fields(policy, count))
        # `violated-policies` as the draft's quota-exceeded problem type names them.
        extensions = {"violated-policies": [policy.name]}
        response = problem(error.status, error.code, error.title, error.detail, headers, extensions)
        await response(scope, receive, send)


def _uncounted(path: str) -> bool:
    return path in UNCOUNTED_PATHS or path.startswith(UNCOUNTED_PREFIXES)


def _bearer_token(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            token = credentials.strip()
            return token if scheme.lower() == "bearer" and token else None
    return None


def _fields(policy: Policy, count: Count) -> list[tuple[bytes, bytes]]:
    remaining = count.remaining if count.allowed else 0
    return [
        (b"ratelimit-policy", policy.field.encode()),
        (b"ratelimit", f'"{policy.name}";r={remaining};t={count.reset_in}'.encode()),
    ]
