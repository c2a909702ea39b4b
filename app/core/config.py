"""Settings, read once from the environment (prefix-free names, as the README lists them)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

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
    # memory:// is per process; use redis://127.0.0.1:6379 with several workers or replicas.
    rate_limit_storage_uri: str = "memory://"
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    log_level: str = "INFO"
    log_json: bool = True
    docs_enabled: bool = True


DEVELOPMENT_SECRET = Settings.model_fields["jwt_secret"].default.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if settings.environment == "production" and settings.jwt_secret.get_secret_value() == DEVELOPMENT_SECRET:
        raise RuntimeError("Set JWT_SECRET to a random value of at least 32 bytes in production.")
    return settings
