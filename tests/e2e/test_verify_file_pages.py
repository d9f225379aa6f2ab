"""The verify page's file check in a browser, in English and Ukrainian, wide and narrow: an
intact PDF, an edited copy, and an intact PDF of an expired certificate (screenshots of each)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_pdf
from tests.factories import (
    AccessFactory,
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    course_with_certificate,
)
from tests.trust.test_pdf_signing import edited

TEXTS = {
    "en": {
        "file": "Certificate file",
        "check": "Check the file",
        "intact": "This PDF is an intact, signed certificate.",
        "modified": "This file was modified after it was signed.",
        "expired": "The file is intact, but the certificate has expired.",
        "expired_on": "The certificate expired on",
    },
    "uk": {
        "file": "Файл сертифіката",
        "check": "Перевірити файл",
        "intact": "Цей PDF — цілісний підписаний сертифікат.",
        "modified": "Цей файл змінено після підписання.",
        "expired": "Файл цілісний, але термін дії сертифіката сплив.",
        "expired_on": "Термін дії сертифіката сплив",
    },
}


@pytest.fixture
def signed(site_url, tmp_path):
    project = ProjectFactory(name="Demo School", slug="demo")
    course = course_with_certificate(project, lessons=1)
    contact = ContactFactory(project=project, name="Олена Коваленко", email="olena@example.com")
    staff = MembershipFactory(project=project).user
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=staff, force=True)
    certificate.refresh_from_db()
    pdf = certificate_pdf(certificate=certificate)
    intact = tmp_path / "certificate.pdf"
    intact.write_bytes(pdf)
    modified = tmp_path / "edited.pdf"
    modified.write_bytes(edited(pdf))
    return certificate, intact, modified


def _check(page, texts, path):
    page.get_by_label(texts["file"]).set_input_files(str(path))
    page.get_by_role("button", name=texts["check"]).click()


@pytest.mark.parametrize("language", ["en", "uk"])
def test_file_check_results(browser, live_server, shot, signed, language, settings):
    # Twelve file checks from one address in a minute: more than the rate limit lets through.
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 1000
    cache.clear()
    certificate, intact, modified = signed
    texts = TEXTS[language]
    context = browser.new_context(base_url=live_server.url, locale=language)
    try:
        page = context.new_page()
        for width in (1400, 390):
            Certificate.objects.filter(pk=certificate.pk).update(
                expires_at=datetime.date(2031, 1, 1)
            )
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/verify/")
            expect(page.locator("html")).to_have_attribute("lang", language)

            _check(page, texts, intact)
            expect(page.get_by_role("status")).to_contain_text(texts["intact"])
            expect(page.get_by_role("link", name=certificate.number)).to_be_visible()
            shot(page, f"intact-{width}")

            _check(page, texts, modified)
            expect(page.get_by_role("alert")).to_contain_text(texts["modified"])
            expect(page.get_by_role("main")).not_to_contain_text(certificate.number)
            shot(page, f"modified-{width}")

            # The same intact file once the certificate's expiry date has come.
            Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.localdate())
            _check(page, texts, intact)
            verdict = page.get_by_role("status")
            expect(verdict).to_contain_text(texts["expired"])
            expect(verdict).to_contain_text(texts["expired_on"])
            expect(page.get_by_role("link", name=certificate.number)).to_be_visible()
            shot(page, f"expired-{width}")

            # Nothing overflows sideways on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
