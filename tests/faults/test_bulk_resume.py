"""A bulk job whose worker dies mid-job resumes and does every item exactly once (SQLite, fast).

The worker's death is simulated in-process: the 4th reissue raises a BaseException, which no
`except Exception` catches, as a SIGKILL would stop everything at that point. Items are done in
chunks (bulk.CHUNK_SIZE, 3 here), each committed whole with its outcomes: a death mid-chunk
leaves that chunk untouched. The real thing,
a worker process killed with SIGKILL on PostgreSQL + Redis, is in test_worker_killed.py.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates import bulk, heartbeat, tasks
from certificates.bulk import bulk_job_run, bulk_job_start
from certificates.models import BulkJob, BulkJobItem, Certificate, ExportJob
from certificates.services import CertificateError
from courses.models import Access
from tests.faults.helpers import assert_each_reissued_once, outdated_certificates


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the job catches it."""


@pytest.fixture(autouse=True)
def chunks_of_three(monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 3)


@pytest.fixture
def dies_at_item(monkeypatch):
    """Make the job die at its `n`th reissue (1-based); the item's transaction rolls back."""

    def arm(n):
        calls = {"count": 0}
        real = bulk.certificate_reissue

        def reissue(**kwargs):
            calls["count"] += 1
            if calls["count"] == n:
                raise WorkerKilled
            return real(**kwargs)

        monkeypatch.setattr(bulk, "certificate_reissue", reissue)
        return lambda: monkeypatch.setattr(bulk, "certificate_reissue", real)

    return arm


def heartbeat_ages(job, minutes=10):
    BulkJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_job_killed_at_item_4_of_7_resumes_and_does_each_item_once(
    project, course, alice, dies_at_item
):
    old = outdated_certificates(project, course, 7)
    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    revive = dies_at_item(4)
    with pytest.raises(WorkerKilled):
        bulk_job_run(job_id=job.id)
    revive()

    job.refresh_from_db()
    # The first chunk (items 1-3) committed; the second (4-6) rolled back whole, with item 4.
    assert (job.status, job.total, job.done, job.attempts) == ("running", 7, 3, 1)
    assert job.items.filter(outcome="pending").count() == 4
    assert Certificate.objects.live().filter(template_revision__version=2).count() == 3
    # While its heartbeat is fresh the job counts as alive elsewhere: a second delivery of the
    # task leaves it alone and a new job of the same kind is refused.
    assert bulk_job_run(job_id=job.id).done == 3
    with pytest.raises(CertificateError, match="already running"):
        bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    assert tasks.bulk_jobs_resume.delay().get() == 0

    heartbeat_ages(job)
    # Beat's task finds the stale job and queues it again (eager here: it runs at once).
    assert tasks.bulk_jobs_resume.delay().get() == 1

    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.skipped, job.failed) == ("finished", 7, 7, 0, 0)
    assert job.attempts == 2 and job.errors == []
    assert set(job.items.values_list("outcome", flat=True)) == {"done"}
    assert_each_reissued_once(course, old)


def test_a_redelivered_task_takes_over_a_stale_job(project, course, alice, dies_at_item):
    old = outdated_certificates(project, course, 3)
    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    revive = dies_at_item(2)
    with pytest.raises(WorkerKilled):
        bulk_job_run(job_id=job.id)
    revive()
    heartbeat_ages(job)

    job = bulk_job_run(job_id=job.id)  # the message, delivered again after the visibility timeout

    assert (job.status, job.done) == ("finished", 3)
    assert_each_reissued_once(course, old)


def test_a_runner_that_lost_its_claim_stops_and_the_new_one_finishes(project, course, alice):
    old = outdated_certificates(project, course, 3)
    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    first_claim, first = heartbeat.job_claim(BulkJob, job.id)
    assert first and first_claim is not None
    # The first runner goes quiet (a long pause, a network split); a second one takes over.
    heartbeat_ages(job)
    second_claim, _ = heartbeat.job_claim(BulkJob, job.id)
    assert second_claim is not None
    assert heartbeat.job_beat(BulkJob, job.id, first_claim) is None
    assert heartbeat.job_claim(BulkJob, job.id) == (None, False)  # the second one is alive

    # Neither claimer listed the items here; the runner that takes the stale job over does,
    # and does them all.
    heartbeat_ages(job)
    job = bulk_job_run(job_id=job.id)
    assert (job.status, job.total, job.done) == ("finished", 3, 3)
    assert_each_reissued_once(course, old)


def test_finished_only_when_every_item_is_done_or_failed_with_its_reason(project, course, alice):
    old = outdated_certificates(project, course, 3)
    # One participant lost access: their reissue is refused, with the reason kept.
    Access.objects.filter(contact=old[1].contact).update(revoked_at=timezone.now())
    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    job = bulk_job_run(job_id=job.id)

    assert (job.status, job.done, job.failed) == ("finished", 2, 1)
    failed = job.items.get(outcome="failed")
    assert failed.contact == old[1].contact
    assert "no active access" in failed.reason
    assert job.errors == [f"{old[1].contact.name}: {failed.reason}"]
    assert Certificate.objects.get(pk=old[1].pk).deleted_at is None  # left as it was


def test_a_job_that_kills_its_worker_every_time_gives_up_with_a_reason(
    project, course, alice, dies_at_item
):
    outdated_certificates(project, course, 5)
    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    revive = dies_at_item(4)  # in the second chunk: the first one (3 items) committed
    with pytest.raises(WorkerKilled):
        bulk_job_run(job_id=job.id)
    revive()
    BulkJob.objects.filter(pk=job.pk).update(attempts=bulk.MAX_ATTEMPTS)
    heartbeat_ages(job)

    job = bulk_job_run(job_id=job.id)

    assert (job.status, job.done, job.failed) == ("finished", 3, 2)
    reasons = set(job.items.filter(outcome="failed").values_list("reason", flat=True))
    assert reasons == {"Interrupted: the worker stopped 5 times during this job."}


def test_an_item_is_recorded_once_per_job_and_contact(project, course, alice):
    old = outdated_certificates(project, course, 1)
    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)
    BulkJobItem.objects.create(job=job, contact=old[0].contact, certificate=old[0])

    with pytest.raises(IntegrityError), transaction.atomic():
        BulkJobItem.objects.create(job=job, contact=old[0].contact, certificate=old[0])


def test_a_stale_export_is_restarted_not_failed(project, alice, settings):
    from certificates.exports import export_job_start

    job = export_job_start(project=project, actor=alice, data={})
    # Its worker died while writing: running, with a heartbeat from long ago.
    ExportJob.objects.filter(pk=job.pk).update(
        status="running",
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    assert tasks.bulk_jobs_resume.delay().get() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("finished", 2, "")
    assert job.file.storage.exists(job.file.name)
