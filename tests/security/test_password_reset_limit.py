"""Password reset requests are limited per client address and per email address, and the
answer never tells whether an account has that email."""

import pytest
from django.core import mail

from lms import ratelimit
from tests.factories import UserFactory

RESET = "/accounts/password_reset/"
DONE = "/accounts/password_reset/done/"
TOO_MANY = "Too many requests for a reset link. Try again in 60 minutes."


@pytest.fixture
def olena(db):
    return UserFactory(email="olena@example.com")


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """One second into an hour window, so a refusal says exactly 60 minutes."""
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_000.0 + 1)


def ask(client, email, address="203.0.113.7"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_three_links_per_email_then_a_clear_refusal(client, olena):
    answers = [ask(client, "olena@example.com") for _ in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert [a["Location"] for a in answers[:3]] == [DONE] * 3
    assert answers[3]["Retry-After"] == "3600"
    assert TOO_MANY in answers[3].content.decode()
    assert len(mail.outbox) == 3


def test_the_email_limit_ignores_case_and_other_addresses(client, olena):
    for address in ("203.0.113.7", "198.51.100.1", "198.51.100.2"):
        assert ask(client, "olena@example.com", address).status_code == 302
    assert ask(client, "OLENA@Example.com", "198.51.100.3").status_code == 429
    assert len(mail.outbox) == 3


def test_an_unknown_email_gets_exactly_the_same_answers(client, olena):
    known = [ask(client, "olena@example.com") for _ in range(4)]
    unknown = [ask(client, "nobody@example.com", "198.51.100.1") for _ in range(4)]
    assert [a.status_code for a in unknown] == [a.status_code for a in known]
    assert [a.get("Location") for a in unknown] == [a.get("Location") for a in known]
    refused_known = known[3].content.decode().replace("olena@example.com", "EMAIL")
    refused_unknown = unknown[3].content.decode().replace("nobody@example.com", "EMAIL")
    # Only the per-request CSRF token differs.
    strip = lambda html: "".join(line for line in html.splitlines() if "csrf" not in line.lower())  # noqa: E731
    assert strip(refused_known) == strip(refused_unknown)
    assert len(mail.outbox) == 3


def test_ten_requests_per_client_address_then_refused(client, settings, olena):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 10
    answers = [ask(client, f"person{n}@example.com").status_code for n in range(11)]
    assert answers == [302] * 10 + [429]
    # The same email from another address is still served.
    assert ask(client, "olena@example.com", "198.51.100.1").status_code == 302
    assert len(mail.outbox) == 1


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    answers = [
        client.post(
            RESET,
            {"email": f"person{n}@example.com"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(3)
    ]
    assert answers == [302, 302, 429]


def test_the_refusal_in_ukrainian(client, olena):
    client.cookies["django_language"] = "uk"
    for _ in range(3):
        ask(client, "olena@example.com")
    html = ask(client, "olena@example.com").content.decode()
    assert "Забагато запитів на посилання для скидання пароля. Спробуйте знову через" in html
