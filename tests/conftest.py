import pytest

from certificates.models import Certificate
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
    """Every test writes PDFs and uploads into folders of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The field's storage was built at import; point it at this test's private folder.
    field = Certificate._meta.get_field("pdf")
    monkeypatch.setattr(field, "storage", PrivateStorage(location=tmp_path / "private"))


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
