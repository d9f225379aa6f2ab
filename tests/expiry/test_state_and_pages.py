"""Expired is a state of its own: the verify page, its JSON, My certificates, the Products tab."""

import datetime

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificate_delete, certificate_issue
from tests.factories import UserFactory

from .conftest import set_expiry

D = datetime.date


@pytest.fixture
def expiring(contact, course, access, alice, clock):
    """Issued on 31 Jan 2026, valid one month: expired from 28 Feb 2026 on."""
    set_expiry(course, expiry="months", expiry_months=1)
    clock(2026, 1, 31, 12)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    return certificate


def _fresh(certificate):
    return Certificate.objects.select_related("project").get(pk=certificate.pk)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        ((2026, 2, 27, 23, 59), "valid"),  # the day before the expiry date
        ((2026, 2, 28, 0, 1), "expired"),  # from the expiry date on
        ((2027, 1, 1, 12), "expired"),
    ],
)
def test_expired_from_the_expiry_date_on(expiring, clock, today, state):
    clock(*today)
    assert _fresh(expiring).state == state


def test_deletion_comes_before_expiry(expiring, alice, clock):
    certificate_delete(certificate=expiring, actor=alice, category="issued_in_error")
    clock(2026, 3, 15, 12)
    assert _fresh(expiring).state == "withdrawn"


def test_the_expired_querysets_agree_with_the_state(expiring, clock):
    clock(2026, 2, 28, 12)
    assert list(Certificate.objects.expired(D(2026, 2, 28))) == [expiring]
    assert list(Certificate.objects.expired(D(2026, 2, 27))) == []
    assert list(Certificate.objects.expiring(D(2026, 2, 21), 7)) == [expiring]
    assert list(Certificate.objects.expiring(D(2026, 2, 20), 7)) == []


def test_the_verify_page_says_expired_with_the_date(client, expiring, clock):
    clock(2026, 3, 2, 12)

    page = client.get(reverse("public:verify", args=[expiring.code])).content.decode()

    assert "This certificate expired on 28 Feb 2026." in page
    assert "This certificate is valid." not in page
    assert "Олена Коваленко" in page  # it was earned: the holder is still named


def test_the_verify_page_in_ukrainian(client, expiring, clock):
    clock(2026, 3, 2, 12)
    client.cookies["django_language"] = "uk"

    page = client.get(reverse("public:verify", args=[expiring.code])).content.decode()

    assert "Термін дії цього сертифіката сплив 28 лютого 2026." in page


def test_a_valid_certificate_shows_when_it_expires(client, expiring, clock):
    clock(2026, 2, 10, 12)

    page = client.get(reverse("public:verify", args=[expiring.code])).content.decode()

    assert "This certificate is valid." in page
    assert "Expires on" in page
    assert "28 Feb 2026" in page


def test_the_json_says_expired(client, expiring, clock):
    clock(2026, 3, 2, 12)

    data = client.get(reverse("public:verify", args=[expiring.code]) + "?format=json").json()

    assert data["status"] == "expired"
    assert data["expires_on"] == "2026-02-28"
    assert data["participant_name"] == "Олена Коваленко"


def test_my_certificates_shows_the_expiry(client, contact, expiring, clock):
    contact.user = UserFactory(email="olena@example.com")
    contact.save()
    client.force_login(contact.user)

    credential = reverse("public:credential_json", args=[expiring.code])

    clock(2026, 2, 10, 12)
    page = client.get(reverse("portal:certificates")).content.decode()
    assert "expires 28 Feb 2026" in page
    assert credential in page

    clock(2026, 3, 2, 12)
    client.force_login(contact.user)  # each request renews the session from "now"
    page = client.get(reverse("portal:certificates")).content.decode()
    assert "expired on 28 Feb 2026" in page
    assert credential not in page  # its Open Badge no longer holds


def test_the_products_tab_shows_the_expiry_and_renew(
    staff_client, project, contact, expiring, clock
):
    url = reverse("staff:contact_products", args=[project.slug, contact.public_id])
    renew = reverse("staff:certificate_renew", args=[project.slug, expiring.public_id])
    extend = reverse("staff:certificate_extend", args=[project.slug, expiring.public_id])

    clock(2026, 1, 31, 13)  # 28 days left: inside the 30-day reminder window
    page = staff_client.get(url).content.decode()
    assert "28 Feb 2026, in 28 days" in page
    assert "expires soon" in page
    assert renew in page
    assert extend in page

    clock(2026, 3, 2, 12)
    page = staff_client.get(url).content.decode()
    assert "expired on 28 Feb 2026" in page
    assert renew in page
    assert extend not in page  # an expired certificate is renewed, not extended


def test_no_renew_button_far_from_expiry(
    staff_client, project, contact, course, access, alice, clock
):
    set_expiry(course, expiry="months", expiry_months=12)
    clock(2026, 1, 31, 12)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    page = staff_client.get(
        reverse("staff:contact_products", args=[project.slug, contact.public_id])
    ).content.decode()

    assert "31 Jan 2027, in 365 days" in page
    assert (
        reverse("staff:certificate_renew", args=[project.slug, certificate.public_id]) not in page
    )
