from django.urls import reverse
from django.utils import dateformat, timezone

from certificates.services import certificate_delete, certificate_issue
from tests.factories import (
    AccessFactory,
    ContactFactory,
    CourseFactory,
    LessonFactory,
    ProjectFactory,
    course_with_certificate,
)
from tests.helpers import complete_lessons, page_queries, products_url


def row_of(body, course):
    """The HTML of one product card, so assertions do not leak between courses."""
    start = body.index(f'id="product-{course.public_id}"')
    return body[start : body.index("</section>", start)]


def test_a_course_without_certificate_shows_a_plain_note(staff_client, contact):
    course = CourseFactory(project=contact.project, title="English Club")
    LessonFactory(course=course, position=1)
    AccessFactory(contact=contact, course=course)
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert "No certificate configured for this course" in row
    assert "Issue now" not in row


def test_expired_access_shows_issue_now_disabled_with_the_reason(
    staff_client, access, contact, course
):
    access.starts_at = timezone.now() - timezone.timedelta(days=60)
    access.ends_at = timezone.now() - timezone.timedelta(days=3)
    access.save()
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    expired_on = dateformat.format(timezone.localtime(access.ends_at), "j M Y")
    assert f"Access expired on {expired_on}" in row
    assert 'disabled aria-describedby="issue-refusal-' in row
    assert "/issue/" not in row


def test_paused_access_gives_its_own_reason(staff_client, access, contact, course):
    access.paused_at = timezone.now()
    access.save()
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert "Access paused on" in row
    assert "no active access" in row


def test_pending_shows_what_is_missing_and_issue_now_asks_first(
    staff_client, access, contact, course
):
    complete_lessons(contact, course, count=1)
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert "pending, course not completed" in row
    assert "2 of 3 lessons left" in row
    confirm_url = reverse(
        "staff:certificate_issue_confirm",
        args=[contact.project.slug, contact.public_id, course.public_id],
    )
    assert f'action="{confirm_url}"' in row
    assert 'method="post"' not in row  # the first click only asks


def test_earned_but_not_issued_offers_issue_now_without_warning(staff_client, project, contact):
    course = course_with_certificate(project, lessons=2, auto_issue=False)
    AccessFactory(contact=contact, course=course)
    complete_lessons(contact, course)
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert "conditions met, not issued" in row
    issue_url = reverse(
        "staff:certificate_issue", args=[project.slug, contact.public_id, course.public_id]
    )
    assert f'action="{issue_url}"' in row
    assert 'method="post"' in row
    assert 'hx-disabled-elt="find button"' in row
    assert "before the course is completed" not in row


def test_issued_automatically_shows_number_date_method_and_actions(
    staff_client, access, contact, course
):
    complete_lessons(contact, course)
    certificate, _ = certificate_issue(contact=contact, course=course)
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert "Certificate of Completion" in row
    assert certificate.number in row
    assert dateformat.format(timezone.localtime(certificate.issued_at), "j M Y") in row
    assert "automatic" in row
    assert "issued before completion" not in row
    assert f'aria-label="Delete certificate {certificate.number}"' in row
    assert reverse("staff:certificate_download", args=["demo", certificate.public_id]) in row
    assert reverse("staff:certificate_delete", args=["demo", certificate.public_id]) in row


def test_issued_early_by_staff_shows_who_why_and_the_forced_badge(
    staff_client, access, contact, course, alice
):
    certificate_issue(contact=contact, course=course, actor=alice, force=True, reason="Paid")
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert "manual, by <bdi>alice@example.com</bdi>" in row
    assert "issued before completion" in row
    assert "Paid" in row


def test_a_reissued_certificate_shows_the_one_it_replaces(
    staff_client, access, contact, course, alice
):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=old, actor=alice, reason="Typo")
    new, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert new.number in row
    assert "Replaces" in row and old.number in row
    assert f"Delete certificate {old.number}" not in row


def test_progress_shows_lessons_percent_and_test_scores(staff_client, project, contact):
    course = course_with_certificate(project, lessons=3, test=True, min_test_score=70)
    AccessFactory(contact=contact, course=course)
    complete_lessons(contact, course, score=66)
    row = row_of(staff_client.get(products_url(contact)).content.decode(), course)
    assert "3 of 3 lessons" in row
    assert "100%" in row
    assert "66% of 70% needed" in row
    assert "score 66 of 70 needed" in row  # what is still missing


def test_a_contact_without_products_says_so(staff_client, contact):
    body = staff_client.get(products_url(contact)).content.decode()
    assert "this contact has no access to any course" in body


def test_a_contact_of_another_project_is_404(staff_client):
    stranger = ContactFactory(project=ProjectFactory())
    url = reverse("staff:contact_products", args=["demo", stranger.public_id])
    assert staff_client.get(url).status_code == 404


def _add_products(project, contact, alice, count):
    """Courses in every state: issued (manual and replaced), pending, no certificate."""
    for n in range(count):
        kind = n % 4
        if kind == 3:
            course = CourseFactory(project=project)
            LessonFactory(course=course, position=1)
        else:
            course = course_with_certificate(project, lessons=2, test=kind == 1)
        AccessFactory(contact=contact, course=course)
        complete_lessons(contact, course, count=1)
        if kind == 0:
            old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
            certificate_delete(certificate=old, actor=alice)
            certificate_issue(contact=contact, course=course, actor=alice, force=True)


def test_products_tab_makes_the_same_queries_for_1_and_50_products(
    staff_client, project, contact, alice
):
    _add_products(project, contact, alice, 1)
    queries, rows = page_queries(staff_client, products_url(contact), "products")
    assert rows == 1
    _add_products(project, contact, alice, 49)
    assert page_queries(staff_client, products_url(contact), "products") == (queries, 50)
