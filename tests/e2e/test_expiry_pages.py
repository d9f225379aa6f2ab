"""Expiry in the browser: the Products tab of an expiring certificate (renew, extend) and the
verify page of an expired one, in English and Ukrainian, wide and phone-sized."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates.models import Certificate, CourseCertificate
from certificates.services import certificate_issue
from courses.services import access_grant
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    course_with_certificate,
)

from .conftest import log_in

WIDTHS = (1400, 390)


@pytest.fixture
def school():
    """Олена's certificate expires in 12 days; Bohdan's expired 3 days ago."""
    project = ProjectFactory(name="Demo School", slug="demo")
    MembershipFactory(
        project=project, user=UserFactory(email="alice@example.com", full_name="Alice Owner")
    )
    alice = project.memberships.get().user
    course = course_with_certificate(project, lessons=2)
    course.title = "First Aid"
    course.save(update_fields=["title"])
    CourseCertificate.objects.filter(course=course).update(expiry="months", expiry_months=12)
    today = timezone.localdate(timezone=project.tzinfo)
    made = {}
    for name, email, days in (
        ("Олена Коваленко", "olena@example.com", 12),
        ("Bohdan Shevchenko", "bohdan@example.com", -3),
    ):
        contact = ContactFactory(project=project, name=name, email=email)
        access_grant(contact=contact, course=course)
        certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
        Certificate.objects.filter(pk=certificate.pk).update(
            expires_at=today + datetime.timedelta(days=days)
        )
        made[email] = (contact, Certificate.objects.get(pk=certificate.pk))
    return {"project": project, "course": course, "today": today, **made}


def test_products_tab_of_an_expiring_certificate(page, shot, school, live_server):
    contact, certificate = school["olena@example.com"]
    log_in(page, "alice@example.com")
    url = f"/staff/demo/contacts/{contact.public_id}/products/"
    for code, soon, renew in (
        ("en", "expires soon", "Renew"),
        ("uk", "термін дії скоро спливає", "Поновити"),
    ):
        page.context.add_cookies(
            [{"name": "django_language", "value": code, "url": live_server.url}]
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            product = page.get_by_role("region", name="First Aid")
            expect(product.get_by_text(soon)).to_be_visible()
            expect(product.get_by_role("button", name=renew, exact=True)).to_be_visible()
            page.get_by_text(
                "Extend expiry" if code == "en" else "Продовжити термін дії"
            ).first.click()
            shot(page, f"products-{code}-{width}")

    # Renew with htmx: confirm in place, then the row shows the new certificate.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(url)
    product = page.get_by_role("region", name="First Aid")
    product.get_by_role("button", name="Renew", exact=True).click()
    expect(product.get_by_text(f"Renew certificate {certificate.number}?")).to_be_visible()
    shot(page, "renew-confirm-en-1400")
    product.get_by_role("button", name="Renew certificate").click()
    expect(product.get_by_text(f"renews {certificate.number}")).to_be_visible()
    renewed = Certificate.objects.live().get(contact=contact)
    assert renewed.replaces_id == certificate.id
    assert renewed.expires_at.year == school["today"].year + 1
    shot(page, "renewed-en-1400")


def test_verify_page_of_an_expired_certificate(page, shot, school, live_server):
    _contact, certificate = school["bohdan@example.com"]
    date = certificate.expires_at
    expected = {
        "en": f"This certificate expired on {date.day} {date.strftime('%b')} {date.year}.",
        "uk": "Термін дії цього сертифіката сплив",
    }
    for code in ("en", "uk"):
        page.context.add_cookies(
            [{"name": "django_language", "value": code, "url": live_server.url}]
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"/verify/{certificate.code}/")
            expect(page.get_by_role("status")).to_contain_text(expected[code])
            expect(page.get_by_text("Bohdan Shevchenko")).to_be_visible()
            shot(page, f"verify-expired-{code}-{width}")
