import pytest
from django.utils import translation

from api import tokens
from tests.factories import (
    AccessFactory,
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    course_with_certificate,
)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def read_token(project, alice):
    return tokens.token_create(project=project, actor=alice, name="CRM", scope="read")[1]


@pytest.fixture
def write_token(project, alice):
    return tokens.token_create(project=project, actor=alice, name="HR", scope="write")[1]


@pytest.fixture
def other_school(db):
    """School B with its owner, a contact with access to a course with a certificate."""
    school = ProjectFactory(name="Other School", slug="other")
    owner = MembershipFactory(project=school, user=UserFactory(email="bob@example.com")).user
    course = course_with_certificate(school, lessons=1)
    contact = ContactFactory(project=school, name="Bob Student", email="bobs@example.com")
    AccessFactory(contact=contact, course=course)
    return school, owner, course, contact


@pytest.fixture
def api_client(client):
    """The Django test client, for JSON calls."""

    def call(method, path, token=None, data=None, **headers):
        kwargs = {**(bearer(token) if token else {}), **headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(client, method)(path, **kwargs)

    return call


@pytest.fixture
def staff_client(client, alice):
    """The test client, logged in as `alice`, owner of `project`."""
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Ukrainian leaves the language active in the thread; later tests expect
    English messages from services."""
    yield
    translation.deactivate()
