"""Settings, read once from the environment (prefix-free names, as the README lists them)."""

import os
from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    # /openapi.json; the interactive docs need it, so DOCS_ENABLED without it is refused.
    openapi_enabled: bool = True
    # memory:// is per process; use redis://127.0.0.1:6379 with several workers or replicas.
    rate_limit_storage_uri: str = "memory://"
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True
    docs_enabled: bool = True

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
    def _refuse_docs_without_their_document(self) -> Self:
        # The docs page reads the OpenAPI document; served alone it would show only an error.
        if self.docs_enabled and not self.openapi_enabled:
            raise ValueError("DOCS_ENABLED needs OPENAPI_ENABLED: set DOCS_ENABLED=false too, or leave both on.")
        return self


JWT_SECRET_MIN_BYTES = 32
DEVELOPMENT_SECRET = Settings.model_fields["jwt_secret"].default.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    return Settings()
