import pytest
from django.urls import reverse

from certificates.bulk import bulk_job_run, bulk_job_start
from certificates.models import BulkJob, Certificate
from certificates.services import CertificateError, certificate_issue, template_save
from courses.services import lesson_complete
from tests.factories import AccessFactory, ContactFactory, MembershipFactory, UserFactory


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
        response = client.post(url)

    job = BulkJob.objects.get()
    assert response.url == reverse("staff:bulk_job", args=[project.slug, job.public_id])
    page = client.get(response.url)
    assert "2 of 2" in page.content.decode()
    assert 'aria-valuenow="100"' in page.content.decode()
    assert Certificate.objects.live().filter(template_revision__version=2).count() == 2


def test_progress_partial_polls_until_finished(client, project, course, alice):
    participants(project, course, 1)
    job = bulk_job_start(course_certificate=course.certificate, kind="issue", actor=alice)
    client.force_login(alice)
    url = reverse("staff:bulk_job", args=[project.slug, job.public_id])
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    bulk_job_run(job_id=job.id)
    assert 'hx-trigger="every 1s"' not in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_start_needs_post_and_an_editor(client, project, course, alice):
    participants(project, course, 1)
    url = reverse("staff:bulk_job_start", args=[project.slug, course.public_id, "issue"])
    client.force_login(alice)
    assert client.get(url).status_code == 405
    manager = MembershipFactory(project=project, user=UserFactory(), role="manager").user
    client.force_login(manager)
    assert client.post(url).status_code == 404
    assert not BulkJob.objects.exists()


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
