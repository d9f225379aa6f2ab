from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificates_issue_for_started_accesses
from courses.models import LessonProgress


def scheduled_access_with_lessons_done(access, contact, course, starts_in):
    """Lessons completed earlier (say, a previous run of the course); access starts later."""
    access.starts_at = timezone.now() + starts_in
    access.save()
    for lesson in course.lessons.all():
        LessonProgress.objects.create(contact=contact, lesson=lesson, completed_at=timezone.now())


def test_a_start_date_arriving_issues_automatically(access, contact, course):
    scheduled_access_with_lessons_done(access, contact, course, timedelta(minutes=-30))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    # A run before the start date saw nothing to do...
    before = certificates_issue_for_started_accesses(
        since=an_hour_ago - timedelta(hours=2), until=an_hour_ago
    )
    assert before == 0
    assert not Certificate.objects.exists()

    # ...the first run after it issues.
    issued = certificates_issue_for_started_accesses(since=timezone.now() - timedelta(hours=2))

    assert issued == 1
    certificate = Certificate.objects.get()
    assert (certificate.contact, certificate.method) == (contact, "automatic")


def test_the_window_overlaps_without_issuing_twice(access, contact, course):
    scheduled_access_with_lessons_done(access, contact, course, timedelta(minutes=-30))
    since = timezone.now() - timedelta(hours=2)
    assert certificates_issue_for_started_accesses(since=since) == 1
    assert certificates_issue_for_started_accesses(since=since) == 0
    assert Certificate.objects.count() == 1


def test_pending_participants_are_not_issued(access, contact, course):
    access.starts_at = timezone.now() - timedelta(minutes=30)
    access.save()
    assert certificates_issue_for_started_accesses(since=timezone.now() - timedelta(hours=2)) == 0
    assert not Certificate.objects.exists()


def test_the_cron_command(access, contact, course, capsys):
    scheduled_access_with_lessons_done(access, contact, course, timedelta(minutes=-10))
    call_command("evaluate_started_accesses", "--hours", "1")
    assert "1 certificate(s) issued." in capsys.readouterr().out
    assert Certificate.objects.filter(contact=contact).exists()
