from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core import mail

from fortresa.accounts.conf import login_policy
from fortresa.accounts.throttle import (
    DatabaseThrottleStore,
    RedisThrottleStore,
    ThrottleStore,
    throttle_store,
)
from fortresa.core.request import trusted_proxy_count

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _fresh_configuration(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Policy and store are read once per process; each test starts from its own env."""
    login_policy.cache_clear()
    throttle_store.cache_clear()
    trusted_proxy_count.cache_clear()
    yield
    login_policy.cache_clear()
    throttle_store.cache_clear()
    trusted_proxy_count.cache_clear()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Set FORTRESA_* variables for this test, as an operator would."""

    def apply(**variables: object) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, str(value))
        login_policy.cache_clear()
        trusted_proxy_count.cache_clear()

    return apply


@pytest.fixture
def redis_store() -> Iterator[RedisThrottleStore]:
    store = RedisThrottleStore(REDIS_URL, prefix=f"fortresa-test:{uuid.uuid4().hex}:")
    yield store
    store.clear()


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, db: None) -> Iterator[ThrottleStore]:
    if request.param == "database":
        yield DatabaseThrottleStore()
    else:
        yield request.getfixturevalue("redis_store")


@pytest.fixture
def outbox() -> list[mail.EmailMessage]:
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    return mail.outbox
