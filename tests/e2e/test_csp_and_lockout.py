"""In a real Chromium, under the Content Security Policy: the pages that run script still work
and nothing is blocked; the lockout page looks like the login page in both languages."""

import re

import pytest
from playwright.sync_api import expect

from certificates.services import certificate_issue
from tests.factories import MembershipFactory, UserFactory

from .conftest import log_in


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The lockout journey logs in six times; the production hasher takes a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def school(project, course):
    alice = MembershipFactory(project=project, user=UserFactory(email="alice@example.com")).user
    return {"project": project, "course": course, "alice": alice}


def test_the_template_editor_previews_and_inserts_placeholders(page, shot, school):
    log_in(page, "alice@example.com")
    page.goto("/staff/demo/templates/new/?start=classic")
    # htmx loads the preview on page load (a data: PNG) ...
    expect(page.locator("#preview img")).to_be_visible(timeout=20_000)
    # ... without injecting a <style> of its own, its indicator rule comes from app.css.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    expect(page.locator("#preview-spinner")).to_have_css("opacity", "0")

    html = page.locator("textarea[name=html]")
    html.fill("Hello ")
    page.locator("[data-placeholder]").first.click()
    expect(html).to_have_value(re.compile(r"^Hello \{\{ \w+ \}\}$"))
    shot(page, "template-editor")


def test_my_certificates_offers_the_copy_button(page, school, contact, access):
    contact.user = UserFactory(email="olena@example.com")
    contact.save(update_fields=["user"])
    certificate_issue(contact=contact, course=school["course"], actor=school["alice"], force=True)
    log_in(page, "olena@example.com")
    page.goto("/my/certificates/")
    button = page.get_by_role("button", name=re.compile("Copy link"))
    expect(button).to_be_visible()


def test_the_lockout_page_in_english_and_ukrainian(page, shot, db):
    UserFactory(email="olena@example.com")
    page.goto("/accounts/login/")
    for _ in range(5):
        page.get_by_label("Email").fill("olena@example.com")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Log in").click()
        if page.get_by_text("Too many failed attempts").is_visible():
            break
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"Try again after \d\d:\d\d \(in 15 minutes\)\.")
    )
    shot(page, "lockout-en")

    page.get_by_role("button", name="UK").click()
    page.goto("/accounts/login/")
    page.get_by_label("Ел. пошта").fill("olena@example.com")
    page.get_by_label("Пароль").fill("password")  # the right one: still refused
    page.get_by_role("button", name="Увійти").click()
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"Спробуйте знову після \d\d:\d\d \(через 15 хвилин\)\.")
    )
    shot(page, "lockout-uk")
    page.set_viewport_size({"width": 390, "height": 800})
    shot(page, "lockout-uk-390")


def test_an_inline_script_is_refused_and_reported(browser, live_server):
    """The policy is enforced, and a violation shows where the journeys look for it."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/accounts/login/")
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.hit=1\">');"
        "const s = document.createElement('script'); s.textContent = 'window.hit = 2';"
        "document.body.appendChild(s);"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.hit") is None
    violations = [text for text in console if "Content Security Policy" in text]
    assert len(violations) >= 2, console
    context.close()
