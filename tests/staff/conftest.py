import pytest

from certificates.services import certificate_issue
from tests.factories import CourseCertificateFactory


@pytest.fixture
def staff_client(client, alice):
    """The test client, logged in as `alice`, owner of `project`."""
    client.force_login(alice)
    return client


@pytest.fixture
def certificate(access, contact, course, alice):
    """Олена's certificate of `course`, issued now by alice (no PDF rendered yet)."""
    return certificate_issue(contact=contact, course=course, actor=alice, force=True)[0]


@pytest.fixture
def python_cc(project):
    """A second course of `project`, "Python", with its certificate configured."""
    return CourseCertificateFactory(
        project=project, course__project=project, course__title="Python", title="Python cert"
    )
