import pytest

from certificates.services import certificate_issue
from tests.factories import UserFactory


@pytest.fixture
def student(contact):
    """Олена's portal login, linked to `contact`."""
    user = UserFactory(email="olena@example.com")
    contact.user = user
    contact.save(update_fields=["user"])
    return user


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def issue(alice):
    """Issue now, as staff would (no PDF is rendered until someone downloads it)."""

    def issue(contact, course):
        certificate, _created = certificate_issue(
            contact=contact, course=course, actor=alice, force=True
        )
        return certificate

    return issue
