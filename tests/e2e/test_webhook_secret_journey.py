"""An owner gives a webhook endpoint a new signing secret, in English on a wide screen and in
Ukrainian on a phone (screenshots): confirm first, then the new secret is on the page."""

import pytest
from playwright.sync_api import expect

from api import webhooks
from api.models import WebhookEndpoint
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

from .conftest import log_in


@pytest.fixture
def endpoint(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
    project = ProjectFactory(name="Demo School", slug="demo")
    alice = UserFactory(email="alice@example.com", full_name="Alice Owner")
    MembershipFactory(project=project, user=alice)
    return webhooks.endpoint_create(
        project=project,
        actor=alice,
        url="https://crm.example.com/hooks/lms",
        events=["certificate.issued"],
    )


@pytest.mark.parametrize(
    ("language", "width", "button", "confirm", "done"),
    [
        ("en", 1280, "New secret…", "Make a new secret", "copy it below"),
        ("uk", 390, "Новий секрет…", "Створити новий секрет", "скопіюйте його нижче"),
    ],
    ids=["en-1280", "uk-390"],
)
def test_an_owner_gives_an_endpoint_a_new_secret(
    page, shot, live_server, endpoint, language, width, button, confirm, done
):
    log_in(page, "alice@example.com")  # the login form's labels are English
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": width, "height": 844})
    old = webhooks.secret_of(endpoint)
    page.goto(f"/staff/demo/settings/webhooks/{endpoint.public_id}/")
    expect(page.locator("#signing-secret")).to_have_value(old)
    page.get_by_role("link", name=button).click()
    shot(page, f"confirm-{language}-{width}")
    page.get_by_role("button", name=confirm).click()
    expect(page.get_by_text(done)).to_be_visible()
    new = webhooks.secret_of(WebhookEndpoint.objects.get())
    assert new != old
    expect(page.locator("#signing-secret")).to_have_value(new)
    shot(page, f"rotated-{language}-{width}")
