"""Issue 12.5 and 12.6 in the browser: the report and the contact card in English and
Ukrainian, wide and phone-sized (screenshots); the navbar folds into a menu on a phone, its
buttons pass colour contrast, and My certificates keeps the verification URL readable."""

import pytest
from playwright.sync_api import expect

from certificates.models import Certificate
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
LANGUAGES = ("en", "uk")


@pytest.fixture
def school():
    """Three certificates of "First Aid for Schools and Summer Camps": Олена's printed in
    Latin letters, Nour's right-to-left, and Bohdan's replaced by a reissue."""
    project = ProjectFactory(name="Demo School", slug="demo")
    alice = UserFactory(email="alice@example.com", full_name="Alice Owner")
    MembershipFactory(project=project, user=alice)
    course = course_with_certificate(project, lessons=2)
    course.title = "First Aid for Schools and Summer Camps"
    course.save(update_fields=["title"])
    made = {}
    for name, email, print_name in (
        ("Олена Коваленко", "olena@example.com", "Olena Kovalenko"),
        ("نور الهدى", "nour@example.com", ""),
        ("Bohdan Shevchenko", "bohdan@example.com", ""),
    ):
        contact = ContactFactory(project=project, name=name, email=email, print_name=print_name)
        contact.user = UserFactory(email=email)
        contact.save()
        access_grant(contact=contact, course=course)
        made[email] = certificate_issue(contact=contact, course=course, actor=alice, force=True)[0]
    from certificates.services import certificate_reissue

    certificate_reissue(certificate=made["bohdan@example.com"], actor=alice, reason="Typo")
    return {"project": project, "course": course, **made}


def use_language(page, live_server, code):
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


def test_the_report_and_the_contact_card_in_both_languages_and_widths(
    page, shot, school, live_server
):
    log_in(page, "alice@example.com")
    olena = school["olena@example.com"]
    card = f"/staff/demo/contacts/{olena.contact.public_id}/products/"
    for code in LANGUAGES:
        use_language(page, live_server, code)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/staff/demo/reports/certificates/?deleted=on")
            expect(page.get_by_text(olena.number)).to_be_visible()
            table = page.locator("table").first
            if width == 1400:
                # Full width: the table is not squeezed into a 1320 px container.
                assert table.bounding_box()["width"] > 1320
            else:
                # A phone: each row is a card of labelled lines; nothing scrolls sideways.
                scroll = page.locator(".table-responsive").first
                assert scroll.evaluate("box => box.scrollWidth <= box.clientWidth")
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                number = page.locator("td", has_text=olena.number)
                label = number.evaluate("td => getComputedStyle(td, '::before').content")
                assert label == ('"Номер"' if code == "uk" else '"Number"')
            shot(page, f"report-{code}-{width}")
            page.goto(card)
            expect(page.get_by_role("heading", name="Олена Коваленко")).to_be_visible()
            shot(page, f"card-{code}-{width}")


def test_the_navbar_folds_on_a_phone_and_its_buttons_pass_contrast(page, shot, school, live_server):
    log_in(page, "alice@example.com")
    for code in LANGUAGES:
        use_language(page, live_server, code)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/staff/demo/reports/certificates/")
        nav = page.get_by_role("navigation", name="Main" if code == "en" else "Головне меню")
        toggler = nav.locator(".navbar-toggler")
        expect(toggler).to_be_visible()
        expect(nav.locator("#main-nav")).to_be_hidden()
        assert nav.bounding_box()["height"] < 70  # it took 200 px before it folded
        toggler.click()
        expect(nav.locator("#main-nav")).to_be_visible()
        expect(nav.get_by_role("button", name="UK")).to_be_visible()
        shot(page, f"menu-open-{code}-390")
        ratios = contrast_ratios(page)
        assert len(ratios) >= 5  # links, EN, UK, Log out, the toggler
        assert min(ratios) >= 4.5, ratios  # WCAG AA for text


def test_my_certificates_keeps_the_verification_url_readable_in_ukrainian(
    page, shot, school, live_server
):
    log_in(page, "olena@example.com")
    use_language(page, live_server, "uk")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/my/certificates/")
    certificate = Certificate.objects.live().get(contact__email="olena@example.com")
    link = page.locator(f"#verify-{certificate.public_id}")
    expect(link).to_be_visible()
    assert link.bounding_box()["width"] > 300  # the whole field's width, not a sliver
    expect(page.get_by_text("Olena Kovalenko").first).to_be_visible()
    shot(page, "my-certificates-uk-390")


CONTRAST_JS = """
() => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const [r, g, b, a = 1] = rgb(getComputedStyle(node).backgroundColor);
      if (a > 0) return [r, g, b];
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("nav button, nav a")]
    .filter((element) => element.offsetParent !== null)
    .map((element) => [rgb(getComputedStyle(element).color).slice(0, 3), background(element)]);
}
"""


def luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratios(page):
    """WCAG contrast of each visible navbar link and button against what is behind it."""
    ratios = []
    for fore, back in page.evaluate(CONTRAST_JS):
        light, dark = sorted((luminance(fore), luminance(back)), reverse=True)
        ratios.append(round((light + 0.05) / (dark + 0.05), 2))
    return ratios
