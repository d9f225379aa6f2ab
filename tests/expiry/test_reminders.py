"""Expiry reminders N days before (30 and 7 by default), each sent once, in the school's words."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from certificates import events, tasks
from certificates.models import CertificateReminder
from certificates.reminders import due_windows, send_expiry_reminders
from certificates.services import certificate_delete, certificate_extend_expiry, certificate_issue

from .conftest import set_expiry

D = datetime.date


@pytest.fixture
def certificate(contact, course, access, alice, clock, settings):
    """Issued on 31 Jan 2026, valid twelve months: expires 31 Jan 2027."""
    settings.CERTIFICATE_EXPIRY_REMINDER_DAYS = [30, 7]
    set_expiry(course, expiry="months", expiry_months=12)
    clock(2026, 1, 31, 12)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    mail.outbox.clear()  # the issue email
    return certificate


@pytest.mark.parametrize(
    ("days_left", "due"),
    [(31, []), (30, [30]), (8, [30]), (7, [7, 30]), (1, [7, 30]), (0, []), (-3, [])],
)
def test_due_windows(days_left, due):
    assert due_windows(days_left, [30, 7]) == due


def test_nothing_before_the_window(certificate, clock):
    clock(2026, 12, 31, 9)  # 31 days left
    assert send_expiry_reminders() == 0
    assert mail.outbox == []


def test_thirty_days_before_once_even_when_run_twice(certificate, clock):
    clock(2027, 1, 1, 9)  # 30 days left

    assert send_expiry_reminders() == 1
    assert send_expiry_reminders() == 0
    tasks.send_expiry_reminders()
    clock(2027, 1, 2, 9)
    assert send_expiry_reminders() == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olena@example.com"]
    assert message.subject == "Your certificate “Certificate of Completion” expires on 31 Jan 2027"
    assert "expires on 31 Jan 2027, in 30 days." in message.body
    assert certificate.snapshot["verification_url"] in message.body
    assert "To renew it, contact Demo School" in message.body
    assert list(CertificateReminder.objects.values_list("days", flat=True)) == [30]


def test_then_seven_days_before(certificate, clock):
    clock(2027, 1, 1, 9)
    send_expiry_reminders()
    clock(2027, 1, 24, 9)  # 7 days left

    assert send_expiry_reminders() == 1
    assert send_expiry_reminders() == 0

    assert len(mail.outbox) == 2
    assert "in 7 days." in mail.outbox[1].body


def test_a_late_first_run_sends_one_email_not_two(certificate, clock):
    clock(2027, 1, 27, 9)  # 4 days left: both windows are due

    assert send_expiry_reminders() == 1
    clock(2027, 1, 28, 9)
    assert send_expiry_reminders() == 0

    assert len(mail.outbox) == 1
    assert "in 4 days." in mail.outbox[0].body
    assert sorted(CertificateReminder.objects.values_list("days", flat=True)) == [7, 30]


def test_no_reminder_once_expired_or_deleted(certificate, alice, clock):
    clock(2027, 1, 31, 9)  # the expiry date itself: expired
    assert send_expiry_reminders() == 0

    clock(2027, 1, 1, 9)
    certificate_delete(certificate=certificate, actor=alice)
    assert send_expiry_reminders() == 0
    assert mail.outbox == []


def test_in_the_schools_language(certificate, project, clock):
    project.language = "uk"
    project.save()
    clock(2027, 1, 1, 9)

    send_expiry_reminders()

    message = mail.outbox[0]
    assert (
        message.subject
        == "Термін дії вашого сертифіката «Certificate of Completion» спливає 31 січня 2027"
    )
    assert "31 січня 2027, через 30 днів." in message.body
    assert "Щоб поновити його, зверніться до Demo School" in message.body


def test_an_extension_gets_reminders_again(certificate, alice, clock):
    clock(2027, 1, 1, 9)
    send_expiry_reminders()
    certificate_extend_expiry(
        certificate=certificate, actor=alice, new_date=D(2027, 3, 31), reason="Audit postponed"
    )
    clock(2027, 3, 1, 9)  # 30 days before the new date

    assert send_expiry_reminders() == 1
    assert "expires on 31 Mar 2027, in 30 days." in mail.outbox[-1].body


def test_a_failed_send_is_tried_again_next_run(certificate, clock, monkeypatch):
    clock(2027, 1, 1, 9)

    def broken(self, *args, **kwargs):
        raise OSError("SMTP down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
        assert send_expiry_reminders() == 0
    assert CertificateReminder.objects.count() == 0

    assert send_expiry_reminders() == 1
    assert len(mail.outbox) == 1


def test_each_reminder_announces_certificate_expiring(
    certificate, clock, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, certificate_id, **kwargs):
        received.append(certificate_id)

    events.certificate_expiring.connect(receiver)
    try:
        clock(2027, 1, 1, 9)
        with django_capture_on_commit_callbacks(execute=True):
            send_expiry_reminders()
            send_expiry_reminders()
    finally:
        events.certificate_expiring.disconnect(receiver)

    assert received == [certificate.id]


def test_the_management_command(certificate, clock, capsys):
    clock(2027, 1, 1, 9)
    call_command("send_expiry_reminders")
    assert "1 reminder(s) sent." in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_beat_schedule_runs_it_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-expiry-reminders"]
    assert entry == {"task": "certificates.tasks.send_expiry_reminders", "schedule": 86400.0}


def test_the_reminder_days_setting_default(settings):
    assert settings.CERTIFICATE_EXPIRY_REMINDER_DAYS == [30, 7]
