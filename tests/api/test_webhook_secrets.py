"""Webhook signing secrets: encrypted at rest, rotated with a day when both sign."""

import base64
import datetime
import hashlib
import hmac

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from api import idempotency, webhooks
from api.models import IdempotencyKey, WebhookDelivery, WebhookEndpoint
from tests.api.test_webhooks import Receiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def endpoint(project, alice, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
    return webhooks.endpoint_create(
        project=project, actor=alice, url="http://127.0.0.1:9/hook", events=["certificate.issued"]
    )


def valid_with(secret, headers, body) -> bool:
    """A receiver's check: any of the space-separated signatures made with `secret`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split())


def test_the_secret_is_not_in_the_database_in_the_clear(endpoint):
    secret = webhooks.secret_of(endpoint)
    assert secret.startswith("whsec_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_webhookendpoint")
        row = cursor.fetchone()
    stored = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row
    )
    assert secret.encode() not in stored
    assert secret.removeprefix("whsec_").encode() not in stored


def test_another_encryption_key_reads_no_secret_and_the_page_says_why(
    endpoint, staff_client, settings
):
    settings.SIGNING_KEY_ENCRYPTION_KEY = "not the key it was stored with"
    with pytest.raises(webhooks.WebhookError, match="SIGNING_KEY_ENCRYPTION_KEY"):
        webhooks.secret_of(endpoint)
    page = staff_client.get(f"/staff/demo/settings/webhooks/{endpoint.public_id}/")
    assert page.status_code == 200
    assert "The signing secret cannot be decrypted" in page.text
    # A delivery cannot be signed: it fails this attempt with the reason and is retried.
    [pk] = webhooks.deliveries_create(
        project_id=endpoint.project_id, event="certificate.issued", subject_id=1, body="{}"
    )
    outcome = webhooks.attempt(pk)
    delivery = WebhookDelivery.objects.get(pk=pk)
    assert (outcome.delivered, outcome.retry_in) == (False, 5)
    assert delivery.error.startswith("The signing secret cannot be decrypted")


def test_after_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one(endpoint):
    old = webhooks.secret_of(endpoint)
    start = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        endpoint = webhooks.endpoint_rotate_secret(endpoint=endpoint)
        new = webhooks.secret_of(endpoint)
        assert new != old and new.startswith("whsec_")
        assert endpoint.previous_secret_until == datetime.datetime(
            2026, 12, 1, 9, 0, tzinfo=datetime.UTC
        )
        with Receiver([200, 200]) as receiver:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=receiver.url)
            endpoint.refresh_from_db()
            for _ in range(2):
                [pk] = webhooks.deliveries_create(
                    project_id=endpoint.project_id,
                    event="certificate.issued",
                    subject_id=_ + 1,
                    body="{}",
                )
                assert webhooks.attempt(pk).delivered
                traveller.move_to(datetime.datetime(2026, 12, 1, 9, 0, 1, tzinfo=datetime.UTC))
    (during, body1), (after, body2) = receiver.requests
    assert len(during["webhook-signature"].split()) == 2
    assert valid_with(new, during, body1) and valid_with(old, during, body1)
    assert len(after["webhook-signature"].split()) == 1
    assert valid_with(new, after, body2) and not valid_with(old, after, body2)


def test_a_second_rotation_drops_the_oldest_secret(endpoint):
    first = webhooks.secret_of(endpoint)
    endpoint = webhooks.endpoint_rotate_secret(endpoint=endpoint)
    second = webhooks.secret_of(endpoint)
    endpoint = webhooks.endpoint_rotate_secret(endpoint=endpoint)
    third = webhooks.secret_of(endpoint)
    assert webhooks.signing_secrets(endpoint) == [third, second]
    assert first not in webhooks.signing_secrets(endpoint)


def test_staff_confirm_then_get_a_new_secret(endpoint, staff_client):
    url = f"/staff/demo/settings/webhooks/{endpoint.public_id}/rotate-secret/"
    old = webhooks.secret_of(endpoint)
    confirm = staff_client.get(url)
    assert "for the next 24 hours, also with the current one" in confirm.text
    assert webhooks.secret_of(WebhookEndpoint.objects.get()) == old  # a GET changes nothing
    response = staff_client.post(url, follow=True)
    new = webhooks.secret_of(WebhookEndpoint.objects.get())
    assert new != old
    assert new in response.text and old not in response.text
    assert "The endpoint has a new signing secret; copy it below." in response.text
    assert "messages also carry a signature made with the previous secret" in response.text
    assert response.redirect_chain[-1][0] == f"/staff/demo/settings/webhooks/{endpoint.public_id}/"


def test_another_schools_endpoint_cannot_be_rotated(endpoint, client, charlie):
    client.force_login(charlie)
    url = f"/staff/demo/settings/webhooks/{endpoint.public_id}/rotate-secret/"
    old = webhooks.secret_of(endpoint)
    assert client.post(url).status_code == 404
    assert webhooks.secret_of(WebhookEndpoint.objects.get()) == old


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_a_plain_text_secret_and_back(project, alice):
    executor = MigrationExecutor(connection)
    executor.migrate([("api", "0001_tokens_webhooks")])
    old_apps = executor.loader.project_state([("api", "0001_tokens_webhooks")]).apps
    OldEndpoint = old_apps.get_model("api", "WebhookEndpoint")
    OldEndpoint.objects.create(
        project_id=project.pk,
        url="https://crm.example.com/hook",
        events=["certificate.issued"],
        secret=SECRET,
        created_by_id=alice.pk,
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("api", "0002_webhook_secret_encrypted")])
    endpoint = WebhookEndpoint.objects.get()
    assert webhooks.secret_of(endpoint) == SECRET
    assert SECRET.encode() not in bytes(endpoint.encrypted_secret)
    executor = MigrationExecutor(connection)
    executor.migrate([("api", "0001_tokens_webhooks")])
    old_apps = executor.loader.project_state([("api", "0001_tokens_webhooks")]).apps
    assert old_apps.get_model("api", "WebhookEndpoint").objects.get().secret == SECRET
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_idempotency_keys_older_than_a_day_are_cleared(project):
    now = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
    for key, age in (
        ("fresh", datetime.timedelta(hours=23)),
        ("old", datetime.timedelta(hours=25)),
    ):
        with time_machine.travel(now - age, tick=False):
            IdempotencyKey.objects.create(
                project=project, key=key, request_hash="x", status=201, response={}
            )
    assert idempotency.keys_clear(now=now) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
