"""Issue now reads each thing once: the exact number of queries of one Issue now, written out
so a change that adds one is seen (issue 9: at most 15 is the goal; see `make bench`)."""

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificate_issue
from tests.factories import AccessFactory, ContactFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def school_in_use(project, course, alice, django_capture_on_commit_callbacks):
    """A school that has issued before: its template revision and number counter exist."""
    other = ContactFactory(project=project, name="Інший Студент")
    AccessFactory(contact=other, course=course)
    with django_capture_on_commit_callbacks(execute=False):
        certificate_issue(contact=other, course=course, actor=alice, force=True)


def issue_url(contact, course):
    return reverse("staff:certificate_issue", args=["demo", contact.public_id, course.public_id])


# Of the test's counts, 4 are savepoints: 2 of the service's atomic block (a transaction of
# its own outside a test) and 2 of the insert that may meet a concurrent issuer's certificate.
# Session, user and membership 3; contact and course 2; the service 12 (course certificate,
# access locked, the contact's certificates of the course, lessons, progress, required
# lessons, template revision, number, certificate, event). The htmx answer redraws the row
# (6 more); the plain form redirects.
@pytest.mark.parametrize(("headers", "queries"), [(HTMX, 25), ({}, 19)])
def test_issue_now_makes_this_many_queries(
    school_in_use,
    staff_client,
    access,
    contact,
    course,
    headers,
    queries,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    # The after-commit render and email go to the broker: not part of the request.
    with (
        django_capture_on_commit_callbacks(execute=False),
        django_assert_num_queries(queries),
    ):
        response = staff_client.post(issue_url(contact, course), {"reason": "x"}, headers=headers)
    assert response.status_code == (200 if headers else 302)
    assert Certificate.objects.filter(contact=contact).live().count() == 1
