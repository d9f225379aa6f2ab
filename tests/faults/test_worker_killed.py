"""Real workers, really killed: PostgreSQL + Redis + `celery worker` processes (CI's second pass).

A worker is SIGKILLed (its whole process group) while a bulk job is a third done; a new worker
finishes it, by the task delivered again or by beat's resume task, and every certificate is
reissued exactly once. And with the private folder unwritable, a worker sends the email at
once, retries the render with backoff, and renders it when the folder is back.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from certificates import tasks
from certificates.bulk import bulk_job_start
from certificates.models import BulkJob, Certificate
from certificates.services import certificate_issue
from lms.celery import app
from tests.certificates.test_celery_worker import (
    database_url,
    forget_broker_connections,
    poll,
    wait_until_ready,
)
from tests.factories import AccessFactory, ContactFactory, UserFactory
from tests.faults.helpers import assert_each_reissued_once, outdated_certificates

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


class Workers:
    """Start workers on one queue of their own; kill them the way a machine would."""

    def __init__(self, broker_url: str, tmp_path: Path):
        self.broker_url = broker_url
        self.tmp_path = tmp_path
        self.queue = f"lms-fault-{uuid.uuid4().hex[:12]}"
        self.mail = tmp_path / "mail"
        self.running: list[subprocess.Popen] = []

    def start(self, **env) -> tuple[subprocess.Popen, Path]:
        number = len(self.running) + 1
        log = self.tmp_path / f"worker-{number}.log"
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "SECRET_KEY": "celery-fault-worker",
            # The worker signs the PDFs it renders, with the same keys as this test process.
            "SIGNING_KEY_ENCRYPTION_KEY": settings.SIGNING_KEY_ENCRYPTION_KEY,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_QUEUE": self.queue,
            "PRIVATE_MEDIA_ROOT": str(self.tmp_path / "private"),
            "MEDIA_ROOT": str(self.tmp_path / "media"),
            "EMAIL_URL": f"filemail:///{self.mail}",
            "SITE_URL": settings.SITE_URL,
            "JOB_STALE_AFTER": "3",
            **env,
        }
        with log.open("w") as output:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "tests.faults.celery_app", "worker"),
                    *("--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"),
                    *("--without-heartbeat", "-Q", self.queue, "-n", f"{self.queue}-{number}@%h"),
                ],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to kill it whole
            )
        self.running.append(process)
        wait_until_ready(process, log)
        return process, log

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def emails(self) -> list[str]:
        if not self.mail.exists():
            return []
        text = "".join(path.read_text() for path in sorted(self.mail.iterdir()))
        return [part for part in text.split("-" * 79) if "Subject:" in part]


@pytest.fixture
def workers(celery_broker_url, tmp_path, settings):
    """Send this process's tasks to the fault workers' queue; stop them all afterwards."""
    group = Workers(celery_broker_url, tmp_path)
    saved = {
        key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = celery_broker_url
    app.conf.update(
        task_always_eager=False, broker_url=celery_broker_url, task_default_queue=group.queue
    )
    forget_broker_connections()
    try:
        yield group
    finally:
        app.conf.update(saved)
        forget_broker_connections()
        group.stop_all()
        # What the killed workers left (their queue, unacknowledged copies) goes with them.
        client = redis.Redis.from_url(celery_broker_url)
        client.delete(group.queue)
        client.close()


N = 90


@pytest.mark.parametrize("resumed_by", ["redelivery", "beat"])
def test_a_bulk_job_whose_worker_is_killed_finishes_every_certificate_once(
    workers, project, course, alice, resumed_by
):
    old = outdated_certificates(project, course, N)
    # Redelivery: Redis hands the killed worker's message to the next one after 5 s.
    env = {"FAULT_VISIBILITY_TIMEOUT": "5"} if resumed_by == "redelivery" else {}
    first, first_log = workers.start(**env)
    job = bulk_job_start(course_certificate=course.certificate, kind="reissue", actor=alice)

    poll(lambda: BulkJob.objects.get(pk=job.pk).processed > N // 3, first_log)
    workers.kill(first)
    job.refresh_from_db()
    at_kill = job.processed
    assert job.status == "running" and N // 3 < at_kill < N, at_kill
    assert job.attempts == 1

    _second, second_log = workers.start(**env)
    if resumed_by == "beat":
        time.sleep(4)  # past JOB_STALE_AFTER (3 s): the heartbeat is stale now
        tasks.bulk_jobs_resume.delay()  # what beat sends every minute

    poll(lambda: BulkJob.objects.get(pk=job.pk).is_finished, second_log, timeout=120)
    job.refresh_from_db()
    assert (job.total, job.done, job.skipped, job.failed, job.errors) == (N, N, 0, 0, [])
    assert job.attempts == 2
    assert set(job.items.values_list("outcome", flat=True)) == {"done"}
    assert job.items.count() == N
    assert_each_reissued_once(course, old)
    assert "Task certificates.tasks.bulk_job_run" in second_log.read_text()


def test_with_the_private_folder_unwritable_the_worker_emails_at_once_and_renders_later(
    workers, project, course, alice, client, tmp_path
):
    private = tmp_path / "private"
    private.write_text("not a folder")  # even root cannot write under a file
    with_login = ContactFactory(project=project, name="Has Login", email="login@example.com")
    with_login.user = UserFactory(email="login@example.com")
    with_login.save()
    without_login = ContactFactory(project=project, name="No Login", email="nologin@example.com")
    for contact in (with_login, without_login):
        AccessFactory(contact=contact, course=course)
    _process, log = workers.start()

    linked, _ = certificate_issue(contact=with_login, course=course, actor=alice, force=True)
    attached, _ = certificate_issue(contact=without_login, course=course, actor=alice, force=True)

    # The student with a login is told at once; the render keeps failing and is retried.
    poll(lambda: Certificate.objects.get(pk=linked.pk).notified_at, log)
    # Two renders, and the same task id received again: a retry (logged at INFO, not shown).
    poll(lambda: log.read_text().count("Task certificates.tasks.certificate_render[") >= 3, log)
    [email] = workers.emails()
    assert "To: login@example.com" in email and "application/pdf" not in email
    assert Certificate.objects.get(pk=attached.pk).notified_at is None
    assert set(Certificate.objects.values_list("pdf", flat=True)) == {""}
    client.force_login(alice)
    url = reverse("staff:certificate_download", args=[project.slug, linked.public_id])
    busy = client.get(url, headers={"accept": "application/pdf"})
    assert (busy.status_code, busy["Retry-After"]) == (503, "15")

    private.unlink()
    private.mkdir()

    # The retries (backoff: 1, 2, 4 … s) render both and send the waiting email with its PDF.
    poll(lambda: not Certificate.objects.filter(pdf="").exists(), log, timeout=120)
    poll(lambda: Certificate.objects.get(pk=attached.pk).notified_at, log, timeout=120)
    emails = workers.emails()
    assert len(emails) == 2
    assert "To: nologin@example.com" in emails[1] and "application/pdf" in emails[1]
    assert len(list(private.rglob("*.pdf"))) == 2
    response = client.get(url)
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF-")
