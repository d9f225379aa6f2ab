"""Issue now reads each thing once: the exact number of queries of one Issue now, written out
so a change that adds one is seen (issue 9: at most 15 is the goal; see `make bench`)."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from certificates.models import Certificate
from certificates.selectors import contact_products
from certificates.services import (
    certificate_delete,
    certificate_issue,
    certificate_issue_with_product,
)
from contacts.models import Contact
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
# Session, user and membership 3; the contact and the course 1 (through the access); the
# service 8 (the access locked with the course's certificate, template, school and current
# revision; the contact's certificates of the course; the lessons with the contact's progress
# and which are required; number; savepoint, certificate, release; event). The htmx answer
# redraws the row from what the service loaded (no query; contact_products would make 6
# more); the plain form redirects. 3 + 1 + 2 + 8 = 14.
@pytest.mark.parametrize(("headers", "queries"), [(HTMX, 14), ({}, 14)])
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


def product_html(project, contact, product):
    request = RequestFactory().get("/")
    request.project = project
    context = {"contact": contact, "product": product, "confirm": "", "request": request}
    return render_to_string("staff/contacts/_product.html", context, request=request)


@pytest.mark.parametrize("withdrawn_before", [0, 2])
def test_issue_now_row_from_loaded_rows_is_the_row_contact_products_draws(
    project, alice, access, contact, course, withdrawn_before, django_capture_on_commit_callbacks
):
    """Issue now draws its row from the service's rows: the same HTML as a fresh read, also
    with a reissue trail (withdrawn certificates, one already replaced)."""
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(withdrawn_before):
            earlier, _created = certificate_issue(
                contact=contact, course=course, actor=alice, force=True
            )
            certificate_delete(certificate=earlier, actor=alice, reason="typo")
        certificate, created, fast = certificate_issue_with_product(
            contact=contact, course=course, actor=alice, force=True
        )
    assert created
    assert [c.number for c in fast.earlier] == [
        c.number
        for c in Certificate.objects.filter(contact=contact)
        .exclude(pk=certificate.pk)
        .order_by("-issued_at", "-id")
    ]
    assert len(fast.earlier) == withdrawn_before
    (full,) = contact_products(contact=Contact.objects.get(pk=contact.pk), course=course)
    html = product_html(project, contact, fast)
    assert certificate.number in html
    assert html == product_html(project, contact, full)


def test_issuing_what_is_issued_gives_no_loaded_row(
    alice, access, contact, course, django_capture_on_commit_callbacks
):
    """Nothing new issued: the view reads the row afresh (contact_products)."""
    with django_capture_on_commit_callbacks(execute=False):
        first, _created = certificate_issue(contact=contact, course=course, actor=alice, force=True)
        again = certificate_issue_with_product(
            contact=contact, course=course, actor=alice, force=True
        )
    assert again == (first, False, None)
