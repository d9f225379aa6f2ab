"""What a school prints and sends is in its language and time zone (issue #12.3)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Project
from certificates.services import certificate_issue, certificate_store_pdf, template_save
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import pdf_text

# 23:30 UTC on 29 November is already 30 November in Kyiv, still 29 November in New York.
LATE_EVENING_UTC = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def at_late_evening(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: LATE_EVENING_UTC)


def issue(contact, course, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    return certificate


def printed(certificate) -> str:
    return pdf_text(certificate_store_pdf(certificate=certificate))


def test_a_ukrainian_school_prints_and_emails_in_ukrainian(
    project, contact, course, access, alice, at_late_evening, django_capture_on_commit_callbacks
):
    project.language, project.time_zone = "uk", "Europe/Kyiv"
    project.save()

    certificate = issue(contact, course, alice, django_capture_on_commit_callbacks)

    assert certificate.snapshot["issue_date"] == "30 листопада 2026"
    assert certificate.snapshot["language"] == "uk"
    assert "30 листопада 2026" in printed(certificate)
    (message,) = mail.outbox
    assert message.subject == "Ваш сертифікат «Certificate of Completion»"
    assert "Добрий день, Олена Коваленко!" in message.body


def test_an_english_school_in_new_york_prints_its_own_date(
    project, contact, course, access, alice, at_late_evening, django_capture_on_commit_callbacks
):
    project.language, project.time_zone = "en", "America/New_York"
    project.save()

    certificate = issue(contact, course, alice, django_capture_on_commit_callbacks)

    assert certificate.snapshot["issue_date"] == "29 November 2026"
    assert "29 November 2026" in printed(certificate)
    (message,) = mail.outbox
    assert message.subject == "Your certificate “Certificate of Completion”"


def test_a_template_may_print_in_another_language_than_the_school(
    project, contact, course, access, alice, at_late_evening, django_capture_on_commit_callbacks
):
    project.language = "uk"
    project.save()
    template = course.certificate.template
    template.language = "en"
    template_save(template=template)

    certificate = issue(contact, course, alice, django_capture_on_commit_callbacks)

    assert certificate.snapshot["issue_date"] == "30 November 2026"
    assert mail.outbox[0].subject == "Ваш сертифікат «Certificate of Completion»"


def test_the_staff_interface_keeps_the_readers_language(client, project, alice):
    project.language = "uk"
    project.save()
    client.force_login(alice)

    english = client.get(
        reverse("staff:contacts", args=["demo"]), headers={"Accept-Language": "en"}
    )

    assert ">Contacts</a>" in english.content.decode()
    assert "Контакти" not in english.content.decode()


def test_owners_set_the_language_and_time_zone(client, project, alice):
    client.force_login(alice)
    url = reverse("staff:school_settings", args=["demo"])

    response = client.post(url, {"language": "uk", "time_zone": "Europe/Warsaw"})

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.language, project.time_zone) == ("uk", "Europe/Warsaw")
    assert project.tzinfo == ZoneInfo("Europe/Warsaw")


def test_an_unknown_time_zone_is_refused_with_a_message(client, project, alice):
    client.force_login(alice)
    url = reverse("staff:school_settings", args=["demo"])

    response = client.post(url, {"language": "uk", "time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert "Select a valid choice. Mars/Olympus is not one of the available choices." in (
        response.content.decode()
    )
    assert Project.objects.get(pk=project.pk).time_zone == "Europe/Kyiv"


def test_managers_do_not_reach_the_settings(client, project):
    manager = MembershipFactory(project=project, user=UserFactory(), role="manager").user
    client.force_login(manager)

    assert client.get(reverse("staff:school_settings", args=["demo"])).status_code == 404
