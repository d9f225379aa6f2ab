import pytest

from accounts.models import Membership
from api import webhooks
from api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from api.tokens import token_authenticate
from tests.factories import MembershipFactory


def test_a_created_token_is_shown_once_and_listed_by_its_prefix(staff_client):
    response = staff_client.post(
        "/staff/demo/settings/api-tokens/", {"name": "CRM", "scope": "write"}
    )
    assert response.status_code == 200
    token = response.context["new_token"]
    assert token in response.text
    assert response["Cache-Control"] == "no-store"
    listing = staff_client.get("/staff/demo/settings/api-tokens/")
    assert token not in listing.text
    assert f"{token[:12]}…" in listing.text
    assert "never" in listing.text  # last used
    assert token_authenticate(token).name == "CRM"


def test_revoking_asks_first_then_revokes(staff_client, project, alice):
    staff_client.post("/staff/demo/settings/api-tokens/", {"name": "CRM", "scope": "read"})
    row = ApiToken.objects.get()
    url = f"/staff/demo/settings/api-tokens/{row.public_id}/revoke/"
    confirm = staff_client.get(url)
    assert "Revoke the token “CRM”?" in confirm.text
    row.refresh_from_db()
    assert row.revoked_at is None
    assert staff_client.post(url).status_code == 302
    row.refresh_from_db()
    assert row.revoked_by == alice


def test_managers_and_other_schools_get_404(client, project, charlie):
    manager = MembershipFactory(project=project, role=Membership.Role.MANAGER).user
    for user in (manager, charlie):
        client.force_login(user)
        assert client.get("/staff/demo/settings/api-tokens/").status_code == 404
        assert client.get("/staff/demo/settings/webhooks/").status_code == 404


def test_an_endpoint_is_added_and_its_log_resends(staff_client, project, settings):
    response = staff_client.post(
        "/staff/demo/settings/webhooks/",
        {"url": "https://crm.example.com/hook", "events": ["certificate.issued"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.url == f"/staff/demo/settings/webhooks/{endpoint.public_id}/"
    page = staff_client.get(response.url)
    assert webhooks.secret_of(endpoint) in page.text
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_1",
        event="certificate.issued",
        subject_id=1,
        body="{}",
        status="failed",
        attempts=9,
        response_status=500,
    )
    assert "Nothing sent yet." not in staff_client.get(response.url).text
    # Resend queues one more attempt of the same message; the local attempt then fails again
    # (example.com is not reachable here), which is recorded with no further retries.
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = False
    staff_client.post(
        f"/staff/demo/settings/webhooks/{endpoint.public_id}/deliveries/{delivery.public_id}/resend/"
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 10)


def test_plain_http_is_refused_on_the_page(staff_client, settings):
    settings.DEBUG = False
    response = staff_client.post(
        "/staff/demo/settings/webhooks/",
        {"url": "http://crm.example.com/hook", "events": ["certificate.issued"]},
    )
    assert response.status_code == 200
    assert "The address must start with https://." in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_settings_menu_is_in_the_staff_navbar(staff_client, lang):
    staff_client.cookies["django_language"] = lang
    page = staff_client.get("/staff/demo/reports/certificates/")
    assert {"en": "API tokens", "uk": "API-токени"}[lang] in page.text
