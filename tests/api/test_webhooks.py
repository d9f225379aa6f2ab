import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from certificates import services
from tests.factories import ProjectFactory


def test_the_signature_matches_the_standard_webhooks_test_vector():
    # Published by the Standard Webhooks specification's reference libraries.
    signature = webhooks.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_new_secret_is_whsec_and_24_random_bytes():
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert webhooks.new_secret() != secret


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "ftp://example.com/hook",
        "https://user:pw@example.com/hook",
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
    ],
)
def test_only_https_addresses_are_accepted(url, settings):
    settings.DEBUG = False
    with pytest.raises(webhooks.WebhookError):
        webhooks.validate_url(url)


def test_plain_http_to_127_0_0_1_only_for_a_local_receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
    assert webhooks.validate_url("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/hook"
    with pytest.raises(webhooks.WebhookError):
        webhooks.validate_url("http://10.0.0.1/hook")


class Receiver:
    """A local HTTP server on 127.0.0.1 that answers with the next of `statuses`."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body.decode()))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_receivers(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True


def _endpoint(project, alice, url, events=("certificate.issued",)):
    return webhooks.endpoint_create(project=project, actor=alice, url=url, events=events)


def _verify(secret, headers, body):
    """What a receiver does: recompute the signature from the headers and the raw body."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return headers["webhook-signature"] == f"v1,{expected}"


def test_issuing_sends_a_signed_certificate_issued_message(
    local_receivers, project, alice, contact, course, access, django_capture_on_commit_callbacks
):
    with Receiver([200]) as receiver:
        endpoint = _endpoint(project, alice, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            certificate, _created = services.certificate_issue(
                contact=contact, course=course, actor=alice, force=True
            )
    [(headers, body)] = receiver.requests
    assert _verify(webhooks.secret_of(endpoint), headers, body)
    message = json.loads(body)
    assert message["type"] == "certificate.issued"
    assert message["data"]["certificate"]["number"] == certificate.number
    assert message["data"]["certificate"]["contact"]["email"] == "olena@example.com"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert headers["webhook-id"] == delivery.message_id


def test_a_reissue_sends_reissued_with_the_old_and_the_new(
    local_receivers, project, alice, contact, course, access, django_capture_on_commit_callbacks
):
    certificate, _created = services.certificate_issue(
        contact=contact, course=course, actor=alice, force=True
    )
    with Receiver([200]) as receiver:
        _endpoint(project, alice, receiver.url, events=("certificate.reissued",))
        with django_capture_on_commit_callbacks(execute=True):
            new = services.certificate_reissue(certificate=certificate, actor=alice, reason="Typo")
    [(_headers, body)] = receiver.requests
    data = json.loads(body)["data"]
    assert data["certificate"]["id"] == str(new.public_id)
    assert (data["replaces"]["id"], data["replaces"]["state"]) == (
        str(certificate.public_id),
        "replaced",
    )


def test_a_failed_delivery_is_retried_with_the_same_id_until_it_succeeds(
    local_receivers, project, alice, contact, course, access, django_capture_on_commit_callbacks
):
    with Receiver([500, 200]) as receiver:
        endpoint = _endpoint(project, alice, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            services.certificate_issue(contact=contact, course=course, actor=alice, force=True)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
        # The first retry waits 5 s; not before.
        assert webhooks.attempt(delivery.id).delivered is False
        assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=5)
        later = delivery.next_attempt_at + timedelta(seconds=1)
        assert webhooks.deliveries_due(now=later) == [delivery.id]
        assert webhooks.attempt(delivery.id, now=later).delivered is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 2, 200)
    first, second = receiver.requests
    assert first[0]["webhook-id"] == second[0]["webhook-id"] == delivery.message_id
    assert _verify(webhooks.secret_of(endpoint), *second)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_the_backoff_grows_and_stops_after_the_last_attempt(local_receivers, project, alice):
    with Receiver([500] * 20) as receiver:
        endpoint = _endpoint(project, alice, receiver.url)
        [pk] = webhooks.deliveries_create(
            project_id=project.id, event="certificate.issued", subject_id=1, body="{}"
        )
        now, waits = timezone.now(), []
        for _ in range(webhooks.MAX_ATTEMPTS):
            outcome = webhooks.attempt(pk, now=now)
            waits.append(outcome.retry_in)
            now += timedelta(seconds=outcome.retry_in or 0)
            # Keep the endpoint from being disabled: this test is about the schedule.
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    assert waits == [5, 300, 1800, 7200, 18000, 36000, 86400, 172800, None]
    assert WebhookDelivery.objects.get().status == "failed"
    assert len(receiver.requests) == 9


def test_an_endpoint_failing_for_3_days_is_disabled_and_the_owner_emailed(
    local_receivers, project, alice
):
    with Receiver([500, 500]) as receiver:
        endpoint = _endpoint(project, alice, receiver.url)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            failing_since=timezone.now() - timedelta(days=3, minutes=1)
        )
        [pk] = webhooks.deliveries_create(
            project_id=project.id, event="certificate.issued", subject_id=1, body="{}"
        )
        webhooks.attempt(pk)
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    assert receiver.url in email.body
    assert "/staff/demo/settings/webhooks/" in email.body
    # A disabled endpoint gets nothing more.
    after = webhooks.deliveries_create(
        project_id=project.id, event="certificate.issued", subject_id=2, body="{}"
    )
    assert after == []


def test_the_same_event_twice_makes_one_delivery(project, alice):
    _endpoint(project, alice, "https://example.com/hook")
    kwargs = {"project_id": project.id, "event": "certificate.issued", "subject_id": 7}
    assert len(webhooks.deliveries_create(body="{}", **kwargs)) == 1
    assert webhooks.deliveries_create(body="{}", **kwargs) == []


def test_private_addresses_are_refused_at_delivery(project, alice, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = False
    endpoint = _endpoint(project, alice, "https://localhost/hook")
    [pk] = webhooks.deliveries_create(
        project_id=project.id, event="certificate.issued", subject_id=1, body="{}"
    )
    webhooks.attempt(pk)
    delivery = WebhookDelivery.objects.get(pk=pk)
    assert "non-public address" in delivery.error
    assert delivery.response_status is None
    assert endpoint.deliveries.count() == 1


def test_an_event_no_endpoint_chose_queues_no_task(
    project, alice, contact, course, access, monkeypatch, django_capture_on_commit_callbacks
):
    from api import tasks

    queued = []
    monkeypatch.setattr(tasks.webhook_event, "delay", lambda *args, **kwargs: queued.append(args))
    _endpoint(project, alice, "https://example.com/hook", events=("certificate.deleted",))
    # Another school's endpoint that chose everything does not count for this one.
    other = WebhookEndpoint.objects.get()
    WebhookEndpoint.objects.create(
        project=ProjectFactory(),
        url=other.url,
        events=["certificate.issued"],
        encrypted_secret=other.encrypted_secret,
        created_by=alice,
    )
    with django_capture_on_commit_callbacks(execute=True):
        certificate, _created = services.certificate_issue(
            contact=contact, course=course, actor=alice, force=True
        )
    assert queued == []  # issued: chosen by no endpoint of this school

    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_delete(certificate=certificate, actor=alice)
    assert queued == [("certificate.deleted", certificate.id)]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_chunk_looks_up_the_schools_webhook_events_once(project, course, alice, monkeypatch):
    """A chunk's reissues send three events each after one commit; which of them the school's
    endpoints chose is read once per chunk, and every chosen event is still queued."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from api import tasks
    from certificates import bulk
    from tests.faults.helpers import outdated_certificates

    monkeypatch.setattr(bulk, "CHUNK_SIZE", 3)
    old = outdated_certificates(project, course, 5)
    _endpoint(project, alice, "https://example.com/hook", events=("certificate.reissued",))
    queued = []
    monkeypatch.setattr(
        tasks.webhook_event, "delay", lambda *args, **kwargs: queued.append((args, kwargs))
    )

    with CaptureQueriesContext(connection) as queries:
        bulk.bulk_job_start(
            course_certificate=course.certificate, kind="reissue", actor=alice, notify=False
        )

    lookups = [q["sql"] for q in queries if 'FROM "api_webhookendpoint"' in q["sql"]]
    assert len(lookups) == 2  # two chunks (3 + 2), not 15 (three events each)
    assert [args[0] for args, _kwargs in queued] == ["certificate.reissued"] * 5
    assert sorted(kwargs["replaces_id"] for _args, kwargs in queued) == sorted(c.id for c in old)
