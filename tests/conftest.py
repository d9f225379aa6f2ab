import os

import pytest
from django.utils import translation

from certificates.models import Certificate, ExportJob
from lms.storage import PrivateStorage
from tests.factories import (
    AccessFactory,
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    course_with_certificate,
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path, monkeypatch):
    """Every test writes PDFs, exports and uploads into folders of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The fields' storage was built at import; point it at this test's private folder.
    private = PrivateStorage(location=tmp_path / "private")
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", private)
    monkeypatch.setattr(ExportJob._meta.get_field("file"), "storage", private)


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Ukrainian leaves Ukrainian active in the test's thread (LocaleMiddleware
    activates the request's language and nothing deactivates it), and every later test on that
    xdist worker that reads a message in English then fails: which tests depends on how xdist
    shares them out, so a run failed a few dozen at once and the rerun passed. Some folders'
    conftests did this for themselves; every test needs it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Each factory user hashes "password": PBKDF2 costs ~0.8 s a user, MD5 nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _render_time_limit_for_a_loaded_machine(settings):
    """A minute per render instead of production's 15 s: on a machine loaded by other work, a
    new renderer child alone can take longer than that to start, and a test that is not about
    the limit would fail for the load. The tests of the time limit set their own."""
    settings.CERTIFICATE_RENDER_TIMEOUT = 60


@pytest.fixture
def project(db):
    return ProjectFactory(name="Demo School", slug="demo")


@pytest.fixture
def alice(project):
    """Owner of `project`."""
    return MembershipFactory(project=project, user=UserFactory(email="alice@example.com")).user


@pytest.fixture
def charlie(db):
    """Staff of another school: should have no access to `project`."""
    return MembershipFactory(user=UserFactory(email="charlie@example.com")).user


@pytest.fixture
def course(project):
    """Three lessons, a certificate configured with the Classic template."""
    return course_with_certificate(project, lessons=3)


@pytest.fixture
def contact(project):
    return ContactFactory(project=project, name="Олена Коваленко", email="olena@example.com")


@pytest.fixture
def access(contact, course):
    return AccessFactory(contact=contact, course=course)


# Infrastructure-bound tests -------------------------------------------------------------------
# Tests marked postgres / celery / browser skip when their infrastructure is absent, which is
# right on a laptop and wrong in CI: there a skip would hide that nothing was proven. The CI
# script says which infrastructure each pass has (REQUIRE_POSTGRES=1, REQUIRE_CELERY=1,
# REQUIRE_BROWSER=1, REQUIRE_REDIS=1, REQUIRE_S3=1, REQUIRE_SQLA_WORKER=1); under CI=true a
# skip of such a test then fails the run.
REQUIRED_INFRASTRUCTURE = {
    "postgres": "REQUIRE_POSTGRES",
    "celery": "REQUIRE_CELERY",
    "browser": "REQUIRE_BROWSER",
    "redis": "REQUIRE_REDIS",
    "s3": "REQUIRE_S3",  # moto's S3 server (tests/prod/test_storage_s3.py)
    "sqla_worker": "REQUIRE_SQLA_WORKER",  # a Celery worker on the SQLAlchemy transport
}


def _required_markers(item) -> list[str]:
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return []
    return [
        marker
        for marker, variable in REQUIRED_INFRASTRUCTURE.items()
        if item.get_closest_marker(marker) and os.environ.get(variable) == "1"
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        required = _required_markers(item)
        if required:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            report.outcome = "failed"
            report.longrepr = (
                f"Skipped, but this CI pass must run {'/'.join(required)} tests "
                f"({', '.join(REQUIRED_INFRASTRUCTURE[m] + '=1' for m in required)}): {reason}"
            )
    return report


def pytest_collection_modifyitems(config, items):
    # Without PostgreSQL the postgres tests skip with a reason instead of failing oddly on
    # SQLite; with CI=true and REQUIRE_POSTGRES=1 that skip then fails the run (see above).
    from django.conf import settings

    vendor_is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if item.get_closest_marker("postgres") and not vendor_is_postgres:
            item.add_marker(skip)


@pytest.fixture
def celery_broker_url():
    """The broker a real worker may use in tests (CELERY_TEST_BROKER_URL), or a skip."""
    url = os.environ.get("CELERY_TEST_BROKER_URL")
    if not url:
        pytest.skip("needs a broker for a real Celery worker: set CELERY_TEST_BROKER_URL")
    return url
