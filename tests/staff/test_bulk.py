import pytest
from django.core import mail
from django.urls import reverse

from certificates.bulk import bulk_job_run, bulk_job_start
from certificates.models import BulkJob, Certificate
from certificates.services import CertificateError, certificate_issue, template_save
from courses.services import lesson_complete
from tests.factories import AccessFactory, ContactFactory, MembershipFactory, UserFactory
from tests.helpers import complete_lessons


def participants(project, course, n):
    contacts = [ContactFactory(project=project) for _ in range(n)]
    for contact in contacts:
        AccessFactory(contact=contact, course=course)
    return contacts


def edit_template(course):
    template = course.certificate.template
    template.css += "\nh1 { color: #800; }"
    template_save(template=template)


def test_reissue_job_replaces_every_outdated_certificate(project, course, alice):
    contacts = participants(project, course, 3)
    old = [
        certificate_issue(contact=c, course=course, actor=alice, force=True)[0] for c in contacts
    ]
    edit_template(course)

    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    assert job.total == 3
    job = bulk_job_run(job_id=job.id)

    assert (job.status, job.done, job.failed) == ("finished", 3, 0)
    live = Certificate.objects.live().filter(course_certificate=course.certificate)
    assert live.count() == 3
    assert {c.template_revision.version for c in live} == {2}
    assert {c.replaces_id for c in live} == {c.id for c in old}
    assert all(c.issued_by == alice for c in live)


def test_reissue_job_refused_when_nothing_is_outdated(project, course, alice):
    (contact,) = participants(project, course, 1)
    certificate_issue(contact=contact, course=course, actor=alice, force=True)
    with pytest.raises(CertificateError, match="older template"):
        bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    assert not BulkJob.objects.exists()


def test_issue_job_issues_to_those_who_qualify_and_skips_the_rest(project, course, alice):
    done, pending = participants(project, course, 2)
    course.certificate.auto_issue = False
    course.certificate.save()
    for lesson in course.lessons.all():
        lesson_complete(contact=done, lesson=lesson)

    job = bulk_job_start(course_certificate=course.certificate, kind="issue", actor=alice)
    job = bulk_job_run(job_id=job.id)

    assert (job.total, job.done, job.skipped, job.failed) == (2, 1, 1, 0)
    assert Certificate.objects.get().contact == done
    assert not Certificate.objects.filter(contact=pending).exists()


def test_a_second_unfinished_job_of_the_same_kind_is_refused(project, course, alice):
    participants(project, course, 1)
    bulk_job_start(course_certificate=course.certificate, kind="issue", actor=alice)
    with pytest.raises(CertificateError, match="already running"):
        bulk_job_start(course_certificate=course.certificate, kind="issue", actor=alice)


def test_running_a_job_twice_does_the_work_once(project, course, alice):
    participants(project, course, 2)
    job = bulk_job_start(course_certificate=course.certificate, kind="issue", actor=alice)
    bulk_job_run(job_id=job.id)
    again = bulk_job_run(job_id=job.id)
    assert again.processed == 2


def test_start_view_runs_the_job_and_shows_its_progress(
    client, project, course, alice, django_capture_on_commit_callbacks
):
    contacts = participants(project, course, 2)
    for contact in contacts:
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    edit_template(course)
    client.force_login(alice)
    url = reverse("staff:bulk_job_start", args=[project.slug, course.public_id, "reissue"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "yes"})

    job = BulkJob.objects.get()
    assert response.url == reverse("staff:bulk_job", args=[project.slug, job.public_id])
    page = client.get(response.url).content.decode()
    assert "2 of 2" in page
    assert 'aria-valuenow="100"' in page
    assert "2 certificates were reissued." in page
    assert "No email was sent to students." in page
    assert Certificate.objects.live().filter(template_revision__version=2).count() == 2


def test_a_bulk_reissue_first_says_how_many_who_and_whether_students_are_emailed(
    client, project, course, alice
):
    for name in ("Anna", "Bohdan", "Chloe", "Dmytro", "Emma", "Fedir", "Galyna"):
        (contact,) = participants(project, course, 1)
        contact.name = name
        contact.save()
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    edit_template(course)
    client.force_login(alice)
    url = reverse("staff:bulk_job_start", args=[project.slug, course.public_id, "reissue"])

    page = client.get(url).content.decode()

    assert "Reissue 7 certificates with the current template?" in page
    for name in ("Anna", "Bohdan", "Chloe", "Dmytro", "Emma"):
        assert f"<li><bdi>{name}</bdi></li>" in page
    assert "and 2 more" in page
    assert 'name="notify" id="bulk-notify" aria-describedby="bulk-notify-help">' in page
    assert not BulkJob.objects.exists()
    # A POST without the confirmation (an old bookmark, a replayed form) starts nothing.
    assert client.post(url).status_code == 200
    assert not BulkJob.objects.exists()


def test_a_bulk_issue_emails_students_by_default_and_not_when_unticked(
    client, project, course, alice, django_capture_on_commit_callbacks
):
    course.certificate.auto_issue = False
    course.certificate.save()
    first, second = participants(project, course, 2)
    complete_lessons(first, course)
    client.force_login(alice)
    url = reverse("staff:bulk_job_start", args=[project.slug, course.public_id, "issue"])
    assert 'name="notify" id="bulk-notify" aria-describedby="bulk-notify-help" checked>' in (
        client.get(url).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "yes", "notify": "on"})
    assert [m.to for m in mail.outbox] == [[first.email]]

    complete_lessons(second, course)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "yes"})
    assert len(mail.outbox) == 1
    assert Certificate.objects.live().count() == 2


def test_progress_partial_polls_until_finished(client, project, course, alice):
    participants(project, course, 1)
    job = bulk_job_start(course_certificate=course.certificate, kind="issue", actor=alice)
    client.force_login(alice)
    url = reverse("staff:bulk_job", args=[project.slug, job.public_id])
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    bulk_job_run(job_id=job.id)
    assert 'hx-trigger="every 1s"' not in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_start_needs_an_editor(client, project, course, alice):
    participants(project, course, 1)
    url = reverse("staff:bulk_job_start", args=[project.slug, course.public_id, "issue"])
    manager = MembershipFactory(project=project, user=UserFactory(), role="manager").user
    client.force_login(manager)
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert not BulkJob.objects.exists()


def test_an_unknown_kind_of_job_is_404(client, project, course, alice):
    client.force_login(alice)
    url = reverse("staff:bulk_job_start", args=[project.slug, course.public_id, "explode"])
    assert client.get(url).status_code == 404


def test_another_school_gets_404(client, project, course, alice, charlie):
    participants(project, course, 1)
    job = bulk_job_start(course_certificate=course.certificate, kind="issue", actor=alice)
    client.force_login(charlie)
    assert (
        client.get(reverse("staff:bulk_job", args=[project.slug, job.public_id])).status_code == 404
    )
    other_slug = charlie.memberships.get().project.slug
    assert (
        client.get(reverse("staff:bulk_job", args=[other_slug, job.public_id])).status_code == 404
    )
