"""Starter designs: the gallery on the "New template" page, in English and Ukrainian, wide and
on a phone; the pictures load; "Use this design" opens the editor with the design."""

from playwright.sync_api import expect

from tests.factories import MembershipFactory, ProjectFactory, UserFactory

from .conftest import log_in


def _pictures_loaded(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('.design-card img'))"
        ".filter(i => i.complete && i.naturalWidth > 0).length"
    )


def test_choose_a_starter_design_from_the_gallery(page, shot):
    project = ProjectFactory(name="Demo School", slug="demo")
    MembershipFactory(project=project, user=UserFactory(email="alice@example.com"))
    log_in(page, "alice@example.com")
    page.goto("/staff/demo/templates/")
    page.get_by_role("link", name="New template").click()
    cards = page.locator(".design-card")
    expect(cards).to_have_count(3)
    for img in cards.locator("img").all():
        img.scroll_into_view_if_needed()
        expect(img).to_have_js_property("complete", True)
    page.wait_for_function("document.querySelectorAll('.design-card img').length === 3")
    page.wait_for_timeout(200)
    assert _pictures_loaded(page) == 3
    page.set_viewport_size({"width": 1400, "height": 900})
    shot(page, "1-gallery-en-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "2-gallery-en-390")

    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_role("button", name="UK", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("link", name="Використати цей дизайн: Елегантний")).to_be_visible()
    shot(page, "3-gallery-uk-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "4-gallery-uk-390")

    page.get_by_role("link", name="Використати цей дизайн: Елегантний").click()
    expect(page.get_by_label("Назва", exact=False).first).to_have_value("Elegant")
