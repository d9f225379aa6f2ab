import re

from django.urls import reverse

from certificates.services import certificate_delete, certificate_issue
from courses.services import lesson_complete
from tests.factories import ContactFactory, ProjectFactory
from tests.helpers import page_queries


def history_url(contact, slug="demo"):
    return reverse("staff:contact_history", args=[slug, contact.public_id])


def test_it_lists_issued_and_deleted_with_who_when_and_why(
    staff_client, access, contact, course, alice
):
    for lesson in course.lessons.all():
        lesson_complete(contact=contact, lesson=lesson)
    first, _ = certificate_issue(contact=contact, course=course)
    certificate_delete(certificate=first, actor=alice, reason="Name misspelled")
    second, _ = certificate_issue(contact=contact, course=course, actor=alice, reason="Fixed")
    response = staff_client.get(history_url(contact))
    events = response.context["events"]
    assert [(e.kind, e.certificate.number) for e in events] == [
        ("issued", second.number),
        ("deleted", first.number),
        ("issued", first.number),
    ]
    body = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "automatic" in body  # the first one had no actor
    assert "alice@example.com" in body
    assert "Name misspelled" in body and "Fixed" in body
    assert f"replaced by {second.number}" in body
    assert f"replaces {first.number}" in body


def test_an_empty_history_says_so(staff_client, contact):
    body = staff_client.get(history_url(contact)).content.decode()
    assert "Nothing has happened to this contact's certificates or names yet." in body


def test_a_contact_of_another_project_is_404(staff_client):
    stranger = ContactFactory(project=ProjectFactory())
    assert staff_client.get(history_url(stranger)).status_code == 404


def test_history_makes_the_same_queries_for_few_and_many_events(
    staff_client, access, contact, course, alice
):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    queries, events = page_queries(staff_client, history_url(contact), "events")
    assert events == 1
    for _ in range(10):
        certificate_delete(certificate=certificate, actor=alice)
        certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert page_queries(staff_client, history_url(contact), "events") == (queries, 21)
