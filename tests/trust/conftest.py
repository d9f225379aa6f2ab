import pytest
from django.core.cache import cache

from certificates.services import certificate_issue, certificate_pdf


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The rate limit counts in the cache; every test starts with a clean slate."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(contact, course, access, alice):
    """Олена's certificate, issued by staff (its signed PDF rendered after commit)."""
    certificate, _created = certificate_issue(
        contact=contact, course=course, actor=alice, force=True
    )
    return certificate


@pytest.fixture
def signed_pdf(issued) -> bytes:
    issued.refresh_from_db()
    return certificate_pdf(certificate=issued)
