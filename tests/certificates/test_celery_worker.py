"""A real Celery worker, in its own process, against the same PostgreSQL test database.

Needs CELERY_TEST_BROKER_URL (CI starts Redis and sets it for the PostgreSQL pass).
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from certificates.models import Certificate
from courses.services import lesson_complete
from lms.celery import app
from tests.factories import AccessFactory, ContactFactory, ProjectFactory, course_with_certificate

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(celery_broker_url, tmp_path, settings):
    """Start `celery -A lms worker` on a queue of its own; point this process's app at it."""
    assert connection.vendor == "postgresql"
    queue = f"lms-test-{uuid.uuid4().hex[:12]}"
    private = tmp_path / "private"  # the autouse fixture's private folder: same files
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SECRET_KEY": "celery-test-worker",
        # The same key as this process: the worker signs with keys this process may create.
        "SIGNING_KEY_ENCRYPTION_KEY": settings.SIGNING_KEY_ENCRYPTION_KEY,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": celery_broker_url,
        "CELERY_QUEUE": queue,  # what the worker's own tasks send goes back to it
        "PRIVATE_MEDIA_ROOT": str(private),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_URL": "dummymail://",
        "SITE_URL": settings.SITE_URL,
    }
    log = tmp_path / "celery-worker.log"
    with log.open("w") as output:  # the worker keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lms",
                "worker",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    saved = {
        key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = celery_broker_url
    app.conf.update(task_always_eager=False, broker_url=celery_broker_url, task_default_queue=queue)
    forget_broker_connections()
    try:
        wait_until_ready(process, log)
        yield process, log
    finally:
        app.conf.update(saved)
        forget_broker_connections()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def forget_broker_connections():
    # Even eager tasks build the app's producer pool, for the broker configured then; drop it
    # so the next message goes to the broker configured now (as Celery does after a fork).
    app._pool = None
    app.amqp._producer_pool = None


def wait_until_ready(process, log: Path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited:\n{log.read_text()[-4000:]}")
        if "ready." in log.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"the Celery worker did not start in {timeout}s:\n{log.read_text()[-4000:]}")


def poll(predicate, log: Path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout}s; worker log:\n{log.read_text()[-4000:]}")


def test_the_worker_issues_and_renders_after_the_last_lesson(worker):
    _process, log = worker
    project = ProjectFactory()
    course = course_with_certificate(project, lessons=2)
    contact = ContactFactory(project=project, name="Олена Коваленко")
    AccessFactory(contact=contact, course=course)
    first, last = course.lessons.order_by("position")

    lesson_complete(contact=contact, lesson=first)
    lesson_complete(contact=contact, lesson=last)  # commits; the evaluation goes to the broker
    # Nothing was done in this process: the certificate comes from the worker.
    certificate = poll(
        lambda: Certificate.objects.filter(contact=contact).exclude(pdf="").first(), log
    )
    assert certificate.method == Certificate.Method.AUTOMATIC
    assert certificate.issued_by is None
    assert Certificate.objects.filter(contact=contact).count() == 1
    # The worker stored the PDF in the private folder this test reads too.
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    with certificate.pdf.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")
    text = log.read_text()
    assert "Task certificates.tasks.certificate_evaluate" in text
    assert "Task certificates.tasks.certificate_issued" in text


def test_the_worker_leaves_an_unfinished_course_alone(worker):
    _process, log = worker
    project = ProjectFactory()
    unfinished = course_with_certificate(project, lessons=2)
    contact = ContactFactory(project=project)
    AccessFactory(contact=contact, course=unfinished)
    lesson_complete(contact=contact, lesson=unfinished.lessons.order_by("position").first())

    # A later change that does issue: the solo worker takes tasks in order, so once this
    # certificate exists the evaluation of the unfinished course has run too.
    finished = course_with_certificate(project, lessons=1)
    AccessFactory(contact=contact, course=finished)
    lesson_complete(contact=contact, lesson=finished.lessons.get())
    certificate = poll(lambda: Certificate.objects.filter(contact=contact).first(), log)
    assert certificate.course_certificate.course == finished
    assert Certificate.objects.count() == 1
