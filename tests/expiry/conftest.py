import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from certificates.models import CourseCertificate
from tests.factories import AccessFactory

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The verify page's rate limit counts in the cache; each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A Ukrainian page leaves its language active in the thread; the next test reads English."""
    yield
    translation.deactivate()


@pytest.fixture
def clock(monkeypatch):
    """Set "now" for the code under test: clock(2026, 1, 31, 12) is noon in Kyiv that day."""

    def set_now(*args):
        moment = datetime.datetime(*args, tzinfo=KYIV)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


@pytest.fixture
def staff_client(client, alice):
    client.force_login(alice)
    return client


def set_expiry(course, **fields):
    CourseCertificate.objects.filter(course=course).update(**fields)
    course.certificate.refresh_from_db()


@pytest.fixture
def access(contact, course):
    """Access since 2020, so certificates can be issued at any moment the clock is set to."""
    return AccessFactory(
        contact=contact, course=course, starts_at=datetime.datetime(2020, 1, 1, tzinfo=KYIV)
    )
