"""Production refuses to start with a signing key anyone could know or guess."""

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from app.core.config import DEVELOPMENT_SECRET, Settings, get_settings

SHORT_KEY = "s3cret-but-only-31-bytes-long!!"


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """get_settings() reads the environment again, and the process's settings are as before afterwards."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_production_refuses_a_signing_key_shorter_than_32_bytes() -> None:
    assert len(SHORT_KEY.encode()) == 31

    with pytest.raises(ValidationError) as refusal:
        Settings(environment="production", jwt_secret=SHORT_KEY)

    assert "JWT_SECRET" in str(refusal.value)
    assert "32 bytes" in str(refusal.value)
    assert SHORT_KEY not in str(refusal.value)  # the refused key is not written to the log


def test_production_counts_the_key_in_bytes() -> None:
    """Sixteen 'é' are sixteen characters but 32 bytes of key."""
    assert Settings(environment="production", jwt_secret="é" * 16).jwt_secret.get_secret_value() == "é" * 16
    with pytest.raises(ValidationError):
        Settings(environment="production", jwt_secret="é" * 15 + "e")


def test_production_refuses_the_development_key() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(environment="production", jwt_secret=DEVELOPMENT_SECRET)


def test_production_accepts_a_key_of_32_bytes() -> None:
    key = SHORT_KEY + "!"

    assert Settings(environment="production", jwt_secret=key).jwt_secret.get_secret_value() == key


def test_development_and_tests_accept_any_key() -> None:
    assert Settings(environment="development", jwt_secret="short").environment == "development"
    assert Settings(environment="test").jwt_secret.get_secret_value() == DEVELOPMENT_SECRET


def test_a_short_key_in_the_environment_stops_the_start(monkeypatch: pytest.MonkeyPatch, fresh_settings: None) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET", SHORT_KEY)

    with pytest.raises(ValidationError, match="JWT_SECRET"):
        get_settings()
