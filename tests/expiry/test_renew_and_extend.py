"""Renewal (a reissue that replaces and links the old) and extending an expiry with a reason."""

import datetime

import pytest
from django.urls import reverse

from certificates.models import Certificate, CertificateEvent
from certificates.services import (
    CertificateError,
    certificate_extend_expiry,
    certificate_issue,
    certificate_renew,
)

from .conftest import set_expiry

D = datetime.date


@pytest.fixture
def certificate(contact, course, access, alice, clock):
    """Issued on 31 Jan 2026, valid twelve months: expires 31 Jan 2027."""
    set_expiry(course, expiry="months", expiry_months=12)
    clock(2026, 1, 31, 12)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    return certificate


def test_renewal_replaces_the_old_and_counts_from_the_new_issue_date(certificate, alice, clock):
    clock(2027, 2, 10, 12)  # expired on 31 Jan 2027

    new = certificate_renew(certificate=certificate, actor=alice)

    old = Certificate.objects.get(pk=certificate.pk)
    assert old.state == "replaced"
    assert old.delete_category == "renewed"
    assert old.delete_reason == "Renewed"
    assert new.replaces_id == old.id
    assert new.snapshot["issued_on"] == "2027-02-10"
    assert new.expires_at == D(2028, 2, 10)
    assert new.number != old.number


def test_the_old_verify_page_links_the_renewed_one(client, certificate, alice, clock):
    clock(2027, 2, 10, 12)
    new = certificate_renew(certificate=certificate, actor=alice)

    data = client.get(reverse("public:verify", args=[certificate.code]) + "?format=json").json()

    assert data["status"] == "replaced"
    assert data["withdrawal_reason"] == "renewed"
    assert data["replaced_by"]["number"] == new.number


def test_renew_from_the_products_tab(staff_client, alice, project, contact, certificate, clock):
    clock(2027, 1, 20, 12)  # 11 days left
    staff_client.force_login(alice)  # a session started before the clock moved has expired
    url = reverse("staff:certificate_renew", args=[project.slug, certificate.public_id])

    confirm = staff_client.get(url).content.decode()
    assert "Renew certificate PY-2026-" in confirm
    assert "It expires on 31 Jan 2027." in confirm

    response = staff_client.post(url, {"reason": "Yearly refresher done"})

    assert response.status_code == 302
    new = Certificate.objects.live().get(contact=contact)
    assert new.replaces_id == certificate.id
    assert new.issue_reason == "Yearly refresher done"
    assert new.expires_at == D(2028, 1, 20)


def test_renew_with_htmx_answers_the_row(staff_client, alice, project, certificate, clock):
    clock(2027, 2, 1, 12)
    staff_client.force_login(alice)
    url = reverse("staff:certificate_renew", args=[project.slug, certificate.public_id])

    confirm = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'class="card shadow-sm mb-3 product"' in confirm
    assert "Renew certificate" in confirm

    row = staff_client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "renews PY-2026-" in row


def test_another_schools_certificate_is_404(client, charlie, certificate):
    client.force_login(charlie)  # the clock is in January 2026, before the session's expiry
    other = charlie.memberships.first().project
    url = reverse("staff:certificate_renew", args=[other.slug, certificate.public_id])
    assert client.post(url).status_code == 404
    url = reverse("staff:certificate_extend", args=[other.slug, certificate.public_id])
    assert client.post(url, {"new_date": "2028-01-01", "reason": "x"}).status_code == 404


# Extension -----------------------------------------------------------------------------------


def test_extend_records_before_and_after(certificate, alice, clock):
    clock(2027, 1, 10, 12)

    certificate_extend_expiry(
        certificate=certificate, actor=alice, new_date=D(2027, 6, 30), reason="Audit postponed"
    )

    certificate.refresh_from_db()
    assert certificate.expires_at == D(2027, 6, 30)
    assert certificate.snapshot["expires_on"] == "2027-01-31"  # the PDF keeps what it printed
    event = CertificateEvent.objects.get(certificate=certificate, kind="extended")
    assert event.actor == alice
    assert event.reason == "Audit postponed"
    assert event.data == {
        "number": certificate.number,
        "before": "2027-01-31",
        "after": "2027-06-30",
    }


@pytest.mark.parametrize(
    ("new_date", "reason", "message"),
    [
        (D(2027, 1, 31), "Audit", "must be later than the current one"),
        (D(2026, 12, 1), "Audit", "must be later than the current one"),
        (D(2027, 6, 30), "  ", "Say why the expiry is extended."),
    ],
)
def test_extend_refuses(certificate, alice, clock, new_date, reason, message):
    clock(2027, 1, 10, 12)
    with pytest.raises(CertificateError, match=message):
        certificate_extend_expiry(
            certificate=certificate, actor=alice, new_date=new_date, reason=reason
        )


@pytest.mark.parametrize("new_date", [D(2027, 2, 15), D(2027, 9, 1)])
def test_an_expired_certificate_is_renewed_not_extended(certificate, alice, clock, new_date):
    # Its Open Badge status bit is set for good once it expires (tests/trust).
    clock(2027, 3, 1, 12)
    with pytest.raises(CertificateError, match="This certificate has expired; renew it instead"):
        certificate_extend_expiry(
            certificate=certificate, actor=alice, new_date=new_date, reason="Late"
        )


def test_a_certificate_without_expiry_cannot_be_extended(contact, course, access, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    with pytest.raises(CertificateError, match="never expires"):
        certificate_extend_expiry(
            certificate=certificate, actor=alice, new_date=D(2030, 1, 1), reason="Audit"
        )


def test_extend_from_the_products_tab_and_see_it_in_history(
    staff_client, alice, project, contact, certificate, clock
):
    clock(2027, 1, 10, 12)
    staff_client.force_login(alice)
    url = reverse("staff:certificate_extend", args=[project.slug, certificate.public_id])

    response = staff_client.post(url, {"new_date": "2027-06-30", "reason": "Audit postponed"})

    assert response.status_code == 302
    history = staff_client.get(
        reverse("staff:contact_history", args=[project.slug, contact.public_id])
    ).content.decode()
    assert "expiry extended" in history
    assert "from 31 Jan 2027 to 30 Jun 2027" in history
    assert "Audit postponed" in history


def test_extend_form_errors_are_messages_not_500(staff_client, alice, project, certificate, clock):
    clock(2027, 1, 10, 12)
    staff_client.force_login(alice)
    url = reverse("staff:certificate_extend", args=[project.slug, certificate.public_id])

    row = staff_client.post(
        url, {"new_date": "not a date", "reason": ""}, headers={"HX-Request": "true"}
    ).content.decode()

    assert "New expiry date: Enter a valid date." in row
    certificate.refresh_from_db()
    assert certificate.expires_at == D(2027, 1, 31)
