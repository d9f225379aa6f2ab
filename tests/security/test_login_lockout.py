"""Login throttling: 5 failures per account or per client address lock logins for 15 minutes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

LOGIN = "/accounts/login/"
LOCKED = "Too many failed attempts to log in to this account or from this address."


@pytest.fixture
def olena(db):
    return UserFactory(email="olena@example.com", password="correct-horse-42")


@pytest.fixture
def bohdan(db):
    return UserFactory(email="bohdan@example.com", password="battery-staple-42")


def attempt(client, email, password, address="203.0.113.7", **headers):
    return client.post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_after_four_failures_still_logs_in(client, olena):
    for _ in range(4):
        assert attempt(client, "olena@example.com", "wrong").status_code == 200
    response = attempt(client, "olena@example.com", "correct-horse-42")
    assert response.status_code == 302
    assert logged_in(client)


def test_five_failures_lock_out_even_the_right_password(client, olena):
    answers = [attempt(client, "olena@example.com", "wrong").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]

    response = attempt(client, "olena@example.com", "correct-horse-42")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert 840 <= int(response["Retry-After"]) <= 900
    assert not logged_in(client)
    assert client.get(reverse("home"))["Location"].startswith(LOGIN)


def test_the_lockout_page_says_when_to_try_again(client, olena):
    for _ in range(5):
        attempt(client, "olena@example.com", "wrong")
    # The last failure five minutes ago: ten minutes left of the fifteen.
    last_failure = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    AccessAttempt.objects.update(attempt_time=last_failure)
    expected = timezone.localtime(last_failure + timedelta(minutes=15)).strftime("%H:%M")

    html = attempt(client, "olena@example.com", "correct-horse-42").content.decode()
    assert f"Try again after {expected} (in 10 minutes)." in html
    assert 'action="/accounts/login/"' not in html  # no form that would only fail again


def test_the_lockout_page_in_ukrainian(client, olena):
    client.cookies["django_language"] = "uk"
    for _ in range(5):
        response = attempt(client, "olena@example.com", "wrong")
    html = response.content.decode()
    assert "Забагато невдалих спроб увійти в цей обліковий запис або з цієї адреси." in html
    assert "(через 15 хвилин)" in html


def test_retrying_during_the_lockout_does_not_extend_it(client, olena):
    for _ in range(5):
        attempt(client, "olena@example.com", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    for _ in range(3):
        assert attempt(client, "olena@example.com", "wrong").status_code == 429
    assert 1 <= int(attempt(client, "olena@example.com", "wrong")["Retry-After"]) <= 60


def test_the_lock_lifts_after_the_cool_off(client, olena):
    for _ in range(5):
        attempt(client, "olena@example.com", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert attempt(client, "olena@example.com", "correct-horse-42").status_code == 302
    assert logged_in(client)


def test_another_account_from_another_address_is_unaffected(client, olena, bohdan):
    for _ in range(5):
        attempt(client, "olena@example.com", "wrong", address="203.0.113.7")
    response = attempt(client, "bohdan@example.com", "battery-staple-42", address="198.51.100.9")
    assert response.status_code == 302
    assert logged_in(client)


def test_the_locked_account_stays_locked_from_another_address(client, olena):
    for _ in range(5):
        attempt(client, "olena@example.com", "wrong", address="203.0.113.7")
    response = attempt(client, "OLENA@example.com", "correct-horse-42", address="198.51.100.9")
    assert response.status_code == 429
    assert not logged_in(client)


def test_an_address_guessing_many_accounts_is_locked_for_all(client, bohdan):
    for n in range(5):
        attempt(client, f"guess{n}@example.com", "wrong", address="203.0.113.7")
    response = attempt(client, "bohdan@example.com", "battery-staple-42", address="203.0.113.7")
    assert response.status_code == 429
    assert not logged_in(client)


def test_a_forged_forwarded_for_does_not_change_the_address(client, settings, bohdan):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        attempt(
            client,
            f"guess{n}@example.com",
            "wrong",
            address="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = attempt(
        client,
        "bohdan@example.com",
        "battery-staple-42",
        address="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_behind_one_trusted_proxy_the_forwarded_address_is_the_client(client, settings, bohdan):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        attempt(
            client,
            f"guess{n}@example.com",
            "wrong",
            address="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.66",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}

    locked = attempt(
        client,
        "bohdan@example.com",
        "battery-staple-42",
        address="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    assert locked.status_code == 429
    other_client = attempt(
        client,
        "bohdan@example.com",
        "battery-staple-42",
        address="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.67",
    )
    assert other_client.status_code == 302
