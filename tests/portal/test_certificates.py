import datetime
import uuid
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates.services import certificate_delete, certificate_issue
from courses.services import lesson_complete
from tests.factories import AccessFactory, ContactFactory, UserFactory, course_with_certificate
from tests.helpers import page_queries, pdf_text

KYIV = ZoneInfo("Europe/Kyiv")

MY_CERTIFICATES = reverse("portal:certificates")


def test_it_lists_the_students_certificate(student_client, contact, course, access, issue):
    certificate = issue(contact, course)

    response = student_client.get(MY_CERTIFICATES)

    html = response.content.decode()
    assert "Certificate of Completion" in html
    assert course.title in html
    assert certificate.number in html
    assert reverse("portal:download", args=[certificate.public_id]) in html
    assert reverse("portal:view", args=[certificate.public_id]) in html
    assert certificate.snapshot["verification_url"] in html
    assert "Copy link" in html
    assert f"/verify/{certificate.code}/" in html


def test_the_linkedin_link_is_filled_in(student_client, contact, course, issue, time_machine):
    # 00:30 on 1 June in Kyiv is still 31 May in UTC: the month is Kyiv's.
    time_machine.move_to(datetime.datetime(2026, 6, 1, 0, 30, tzinfo=KYIV), tick=False)
    AccessFactory(contact=contact, course=course)
    certificate = issue(contact, course)

    card = student_client.get(MY_CERTIFICATES).context["cards"][0]

    url = urlsplit(card.linkedin_url)
    assert (url.netloc, url.path) == ("www.linkedin.com", "/profile/add")
    params = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": f"Certificate of Completion: {course.title}",
        "organizationName": "Demo School",
        "issueYear": "2026",
        "issueMonth": "6",
        "certUrl": certificate.snapshot["verification_url"],
        "certId": certificate.number,
    }
    assert " " not in card.linkedin_url


def test_another_students_certificates_are_not_listed(student_client, project, course):
    other = ContactFactory(project=project)
    AccessFactory(contact=other, course=course)
    certificate, _ = certificate_issue(
        contact=other, course=course, actor=UserFactory(), force=True
    )

    html = student_client.get(MY_CERTIFICATES).content.decode()

    assert certificate.number not in html
    assert "No certificates yet" in html


def test_a_deleted_certificate_disappears(student_client, contact, course, access, issue, alice):
    certificate = issue(contact, course)
    certificate_delete(certificate=certificate, actor=alice, reason="wrong name")

    response = student_client.get(MY_CERTIFICATES)

    assert certificate.number not in response.content.decode()
    assert response.context["cards"] == []


def test_pending_cards_say_what_is_left(student_client, contact, course, access):
    lesson_complete(contact=contact, lesson=course.lessons.get(position=1))

    response = student_client.get(MY_CERTIFICATES)

    [pending] = response.context["pending"]
    assert pending.course == course
    html = response.content.decode()
    assert "2 of 3 lessons left" in html
    assert "pending, course not completed" in html


def test_pending_cards_say_the_test_score_needed(student_client, project, contact):
    course = course_with_certificate(project, lessons=2, test=True, min_test_score=80)
    AccessFactory(contact=contact, course=course)
    for lesson in course.lessons.all():
        lesson_complete(contact=contact, lesson=lesson, score=60 if lesson.is_test else None)

    html = student_client.get(MY_CERTIFICATES).content.decode()

    assert "score 60 of 80 needed" in html


def test_no_pending_card_once_issued_or_without_access(
    student_client, contact, course, access, issue
):
    issue(contact, course)
    assert student_client.get(MY_CERTIFICATES).context["pending"] == []


def test_the_same_number_of_queries_for_1_and_50_certificates(
    student_client, project, contact, issue
):
    def add_certificates(count):
        for _ in range(count):
            course = course_with_certificate(project, lessons=2)
            AccessFactory(contact=contact, course=course)
            issue(contact, course)

    add_certificates(1)
    queries, cards = page_queries(student_client, MY_CERTIFICATES, "cards")
    assert cards == 1
    add_certificates(49)
    assert page_queries(student_client, MY_CERTIFICATES, "cards") == (queries, 50)


# Download and view ----------------------------------------------------------------------


def test_download_is_a_pdf_with_the_name_and_number(student_client, contact, course, access, issue):
    certificate = issue(contact, course)

    response = student_client.get(reverse("portal:download", args=[certificate.public_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.pdf"'
    pdf = response.getvalue()  # a stream: read once
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Олена Коваленко" in text
    assert certificate.number in text


def test_view_shows_the_pdf_inline(student_client, contact, course, access, issue):
    certificate = issue(contact, course)

    response = student_client.get(reverse("portal:view", args=[certificate.public_id]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="{certificate.number}.pdf"'
    pdf = response.getvalue()  # a stream: read once
    assert pdf.startswith(b"%PDF")
    assert certificate.number in pdf_text(pdf)


def test_download_still_works_after_access_ended(student_client, contact, course, access, issue):
    certificate = issue(contact, course)
    access.ends_at = timezone.now() - timezone.timedelta(minutes=1)
    access.save(update_fields=["ends_at"])

    response = student_client.get(reverse("portal:download", args=[certificate.public_id]))

    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")
    assert certificate.number in student_client.get(MY_CERTIFICATES).content.decode()


@pytest.mark.parametrize("name", ["portal:download", "portal:view"])
def test_another_students_pdf_is_404(client, contact, course, access, issue, project, name):
    certificate = issue(contact, course)
    intruder = UserFactory()
    ContactFactory(project=project, user=intruder)
    client.force_login(intruder)

    response = client.get(reverse(name, args=[certificate.public_id]))

    assert response.status_code == 404


def test_unknown_and_deleted_certificates_are_404(
    student_client, contact, course, access, issue, alice
):
    certificate = issue(contact, course)
    certificate_delete(certificate=certificate, actor=alice)

    for public_id in (certificate.public_id, uuid.uuid4()):
        response = student_client.get(reverse("portal:download", args=[public_id]))
        assert response.status_code == 404


def test_download_requires_login(client, contact, course, access, issue):
    certificate = issue(contact, course)
    url = reverse("portal:download", args=[certificate.public_id])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"
    assert not response.getvalue().startswith(b"%PDF")
