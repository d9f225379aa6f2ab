import os

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache; every test starts with a clean slate."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_url():
    """A Redis server to count in (REDIS_TEST_URL, else the Celery test broker's), or a skip."""
    url = os.environ.get("REDIS_TEST_URL") or os.environ.get("CELERY_TEST_BROKER_URL")
    if not url or not url.startswith("redis://"):
        pytest.skip("needs Redis: set REDIS_TEST_URL=redis://127.0.0.1:6379/<db>")
    return url


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Lockout tests log in dozens of times; the production hasher would take a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_back_to_default():
    """A request in Ukrainian leaves Ukrainian active in this thread; later tests expect English."""
    yield
    translation.deactivate()
