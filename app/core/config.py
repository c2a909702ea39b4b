"""Settings, read once from the environment (prefix-free names, as the README lists them)."""

import json
import os
import re
from functools import lru_cache
from typing import Annotated, Any, Literal, Self

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    # Inputs hidden from validation errors: they would print secrets (JWT_SECRET, DATABASE_URL) to the log.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./teikei.db"
    # Connections each process keeps open, and how many more it may open at a peak (closed again on
    # return). Size the pool for the requests a process serves at once: a connection opened per peak
    # costs a handshake and loses its prepared statements.
    database_pool_size: int = Field(default=15, ge=1)
    database_max_overflow: int = Field(default=5, ge=0)
    # The default key is for development only; production refuses to start with it.
    jwt_secret: SecretStr = SecretStr("development-secret-change-me-0123456789abcdef")
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # Failed logins allowed per email within the window before 429.
    login_failures_allowed: int = Field(default=5, ge=1)
    login_failure_window_seconds: int = Field(default=300, ge=1)
    # Failed logins allowed per client address within the same window, whatever the emails tried.
    login_failures_allowed_per_address: int = Field(default=20, ge=1)
    # Password hashes computed at once per process (each takes a core for ~0.1-0.6 s, off the event loop).
    # Half the cores by default, so a burst of logins leaves the other half to every other request.
    password_hash_concurrency: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) // 2), ge=1, le=64)
    # Households one user may create; a real family needs one, a few for shared houses.
    households_per_user_max: int = Field(default=10, ge=1, le=1000)
    # Idempotency-Key records are kept this long, then purged by the scheduled job.
    idempotency_retention_hours: int = Field(default=24, ge=1, le=24 * 30)
    # /metrics answers only to `Authorization: Bearer <METRICS_TOKEN>`; unset, it is not served at all.
    metrics_token: SecretStr | None = None
    # Webhook endpoints may name private, loopback or link-local addresses (a receiver on this machine while
    # developing); off, such URLs are refused when saved and again before each delivery.
    webhook_allow_private_urls: bool = False
    # Deliver webhooks from a background task of the API process too (`make run`); in production run
    # `python -m app.worker webhooks` beside the API instead, as many as needed.
    webhook_delivery_in_process: bool = False
    # Likewise notifications (`make run`): made from the outbox's events and e-mailed from a background task of
    # the API process; in production run `python -m app.worker notifications` beside the API instead.
    notifications_in_process: bool = False
    # How long one delivery may take, connecting and reading included.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    # A claimed delivery is left to its worker this long; if the worker dies, another sends it after.
    webhook_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    # The event feed shows only events older than this: a transaction may commit an event a little after
    # a later one, and a client whose cursor had passed it would never see it.
    event_feed_settle_seconds: float = Field(default=5.0, ge=0, le=300)
    # Notifications are also e-mailed through this SMTP server; unset, none is (the in-app feed still fills).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # STARTTLS before logging in (port 587); off only for a relay on the same host or network.
    smtp_starttls: bool = True
    mail_from: str = "Teikei <notifications@teikei.example>"
    # /openapi.json; the interactive docs need it, so DOCS_ENABLED without it is refused.
    openapi_enabled: bool = True
    # memory:// is per process; use redis://127.0.0.1:6379 with several workers or replicas.
    rate_limit_storage_uri: str = "memory://"
    # Requests per caller in a sliding window, in `limits` notation (README, "Rate limits").
    rate_limits_enabled: bool = True
    rate_limit_per_api_key: str = "600/minute"
    rate_limit_per_user: str = "300/minute"
    rate_limit_anonymous: str = "120/minute"
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    # An uploaded bank statement may be larger than other bodies; its route enforces this limit itself.
    statement_max_bytes: int = Field(default=5 * 1_048_576, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True
    docs_enabled: bool = True
    # Web origins (`https://shop.example`) whose pages may call the API from a browser; empty, none may.
    # Comma-separated or a JSON list; `*` lets any origin in, and is refused in production.
    cors_allowed_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _read_origins(cls, value: Any) -> Any:
        if isinstance(value, str) and value.lstrip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ValueError(
                    "CORS_ALLOWED_ORIGINS: not a JSON list; or write the origins comma-separated."
                ) from None
        elif isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            # Browsers send the scheme and host in lower case.
            value = [origin.strip().lower() if isinstance(origin, str) else origin for origin in value]
            return [origin for origin in value if origin != ""]
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _refuse_what_is_not_an_origin(cls, origins: list[str]) -> list[str]:
        # A browser sends `scheme://host[:port]`, nothing more: `https://shop.example/` would never match.
        for origin in origins:
            if origin != "*" and not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"CORS_ALLOWED_ORIGINS: {origin!r} is not an origin; write scheme://host[:port], "
                    "without a path or a trailing slash."
                )
        return origins

    @field_validator("rate_limit_per_api_key", "rate_limit_per_user", "rate_limit_anonymous")
    @classmethod
    def _read_rate_limit(cls, value: str) -> str:
        # Refused at start rather than on the first request.
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit; write e.g. '300/minute' or '10/second'.") from None
        return value

    @model_validator(mode="after")
    def _refuse_a_weak_signing_key_in_production(self) -> Self:
        """Whoever knows or guesses the key forges access tokens for any account: the published
        development key and keys shorter than HS256's 256 bits are refused."""
        secret = self.jwt_secret.get_secret_value()
        if self.environment == "production" and (
            secret == DEVELOPMENT_SECRET or len(secret.encode()) < JWT_SECRET_MIN_BYTES
        ):
            raise ValueError(
                f"Set JWT_SECRET to a random value of at least {JWT_SECRET_MIN_BYTES} bytes in production."
            )
        return self

    @model_validator(mode="after")
    def _refuse_a_lease_shorter_than_a_delivery(self) -> Self:
        # A lease that ran out while its worker still waits for an answer would let a second worker send too.
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError("WEBHOOK_LEASE_SECONDS must be longer than WEBHOOK_TIMEOUT_SECONDS.")
        return self

    @model_validator(mode="after")
    def _refuse_docs_without_their_document(self) -> Self:
        # The docs page reads the OpenAPI document; served alone it would show only an error.
        if self.docs_enabled and not self.openapi_enabled:
            raise ValueError("DOCS_ENABLED needs OPENAPI_ENABLED: set DOCS_ENABLED=false too, or leave both on.")
        return self

    @model_validator(mode="after")
    def _refuse_every_origin_in_production(self) -> Self:
        # Any page on the web could then drive a signed-in user's token; production names its storefronts.
        if self.environment == "production" and "*" in self.cors_allowed_origins:
            raise ValueError("CORS_ALLOWED_ORIGINS=* is refused in production: list the origins to allow.")
        return self


JWT_SECRET_MIN_BYTES = 32
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
DEVELOPMENT_SECRET = Settings.model_fields["jwt_secret"].default.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    return Settings()
