"""The article's staff flows, done the way a school's staff member does them in a browser.

Elements are found by what a person sees: roles with their accessible names, labels, text.
"""

import csv
import re

import pytest
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from certificates.models import Certificate
from certificates.services import certificate_issue
from courses.services import access_grant, lesson_complete
from tests.factories import (
    CertificateFactory,
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    course_with_certificate,
)

from .conftest import log_in

WINDOW_MARKER = "window.__journeyMarker"
CONFIRM_ISSUE = "Issue the certificate before the course is completed?"


def _course(project, title, *, lessons):
    course = course_with_certificate(project, lessons=lessons)
    course.title = title
    course.save(update_fields=["title"])
    return course


@pytest.fixture
def school():
    """Alice runs the school; Олена has done 1 of 3 lessons of "Python Basics"."""
    project = ProjectFactory(name="Demo School", slug="demo")
    alice = MembershipFactory(
        project=project, user=UserFactory(email="alice@example.com", full_name="Alice Owner")
    ).user
    course = _course(project, "Python Basics", lessons=3)
    contact = ContactFactory(project=project, name="Олена Коваленко", email="olena@example.com")
    access_grant(contact=contact, course=course)
    lesson_complete(contact=contact, lesson=course.lessons.get(position=1))
    ContactFactory(project=project, name="Bohdan Shevchenko", email="bohdan@example.com")
    return {"project": project, "alice": alice, "course": course, "contact": contact}


def _product(page, course):
    """The course's box on the Products tab (a region named after the course)."""
    return page.get_by_role("region", name=course.title)


def _open_products(page, contact_name):
    page.get_by_role("link", name="Contacts", exact=True).first.click()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    page.get_by_role("link", name=contact_name).click()
    expect(page.get_by_role("heading", name=contact_name)).to_be_visible()
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_role("link", name="Products")).to_have_attribute("aria-current", "page")


def _mark_window(page):
    """A marker that lives only as long as this document: a full reload would drop it."""
    page.evaluate(f"{WINDOW_MARKER} = 'still here'")


def _window_survived(page) -> bool:
    return page.evaluate(WINDOW_MARKER) == "still here"


def _issue_now(page, product, reason="", double_click=False):
    """Issue now → the before-completion confirmation → Issue now."""
    product.get_by_role("button", name="Issue now").click()
    expect(product.get_by_text(CONFIRM_ISSUE)).to_be_visible()
    if reason:
        product.get_by_label("Reason (optional)").fill(reason)
    confirm = product.get_by_role("button", name="Issue now")
    if double_click:
        confirm.dblclick()
    else:
        confirm.click()


def _live_certificate(contact):
    return Certificate.objects.live().get(contact=contact)


def _day(moment) -> str:
    # The pages are in English; an earlier test may have left another language active here.
    with translation.override("en"):
        return date_format(timezone.localtime(moment), "j M Y")


def test_issue_now_before_completion_shows_number_and_report_lists_it(page, shot, school):
    contact, course = school["contact"], school["course"]
    log_in(page, "alice@example.com")
    _open_products(page, contact.name)

    product = _product(page, course)
    expect(product.get_by_text("pending, course not completed")).to_be_visible()
    expect(product.get_by_text("1 of 3 lessons")).to_be_visible()
    shot(page, "1-products-pending")

    _mark_window(page)
    # An impatient double click on the confirmation still issues one certificate.
    _issue_now(page, product, reason="Finished the course offline", double_click=True)

    # Wait for the answer to land before reading what the server wrote.
    expect(product.get_by_role("status")).to_contain_text(f"issued to {contact.name}")
    certificate = _live_certificate(contact)
    assert Certificate.objects.filter(contact=contact).count() == 1
    expect(product.get_by_text("issued before completion", exact=True)).to_be_visible()
    assert certificate.forced and certificate.method == "manual"
    expect(product.get_by_text(certificate.number, exact=True)).to_be_visible()
    delete = product.get_by_role("button", name=f"Delete certificate {certificate.number}")
    expect(delete).to_be_visible()
    facts = product.locator("dl")
    expect(facts).to_contain_text("Issue date")
    expect(facts).to_contain_text(_day(certificate.issued_at))
    expect(facts).to_contain_text("manual, by Alice Owner")
    expect(facts).to_contain_text("Finished the course offline")
    expect(product.get_by_role("status")).to_contain_text(
        f"Certificate {certificate.number} issued to {contact.name}."
    )
    assert _window_survived(page), "Issue now reloaded the whole page instead of the product"
    shot(page, "2-products-issued")

    # Courses → All reports → Certificates
    page.get_by_role("button", name="Courses").click()
    menu = page.get_by_role("list").filter(has_text="All reports")
    expect(menu.get_by_role("heading", name="All reports")).to_be_visible()
    menu.get_by_role("link", name="Certificates", exact=True).click()
    expect(page.get_by_role("heading", name="Certificates report")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=certificate.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(contact.name)
    expect(row).to_contain_text("Python Basics")
    expect(row).to_contain_text("manual")
    expect(row).to_contain_text("forced")
    shot(page, "3-report")


def test_issue_now_without_javascript_posts_and_redirects(page_without_js, shot, school):
    page = page_without_js
    contact, course = school["contact"], school["course"]
    log_in(page, "alice@example.com")
    _open_products(page, contact.name)

    _product(page, course).get_by_role("button", name="Issue now").click()
    # Without htmx the confirmation is a page of its own.
    expect(page).to_have_url(re.compile(r"/issue/confirm/"))
    expect(page.get_by_text(CONFIRM_ISSUE)).to_be_visible()
    # Without htmx nothing disables the button; a double click must still give one certificate.
    page.get_by_role("button", name="Issue now").dblclick()

    expect(page).to_have_url(re.compile(r"/products/"))
    certificate = _live_certificate(contact)
    assert Certificate.objects.filter(contact=contact).count() == 1
    # The browser shows whichever of the two responses wins: "issued" from the first POST or
    # "already has … nothing new was issued" from the second. Both name the one certificate.
    expect(page.get_by_role("status").first).to_contain_text(certificate.number)
    expect(_product(page, course).get_by_text(certificate.number, exact=True)).to_be_visible()
    shot(page, "products-issued-no-js")


def test_delete_then_issue_now_gives_a_new_number_and_history_shows_the_old_one(page, shot, school):
    contact, course = school["contact"], school["course"]
    old, _ = certificate_issue(contact=contact, course=course, actor=school["alice"], force=True)
    log_in(page, "alice@example.com")
    _open_products(page, contact.name)
    product = _product(page, course)
    expect(product.get_by_text(old.number, exact=True)).to_be_visible()
    _mark_window(page)

    product.get_by_role("button", name=f"Delete certificate {old.number}").click()
    expect(product.get_by_text(f"Delete certificate {old.number}?")).to_be_visible()
    product.get_by_label("Why is it withdrawn?").select_option("name_correction")
    product.get_by_label("Reason (optional)").fill("Name misspelt")
    shot(page, "1-delete-confirm")
    product.get_by_role("button", name="Delete certificate", exact=True).click()

    expect(product.get_by_role("status")).to_contain_text(f"Certificate {old.number} deleted.")
    expect(product.get_by_role("button", name=re.compile("^Delete certificate"))).to_have_count(0)
    expect(product.get_by_text("pending, course not completed")).to_be_visible()
    # What is left of the old number is the struck-through "Earlier" note, not a certificate.
    expect(product.locator(".cert-number.fs-5")).to_have_count(0)
    expect(product.get_by_text("Earlier:")).to_contain_text(old.number)
    shot(page, "2-deleted")

    _issue_now(page, product)
    expect(product.get_by_role("status")).to_contain_text(f"issued to {contact.name}")
    new = _live_certificate(contact)
    assert new.number != old.number
    expect(product.get_by_role("button", name=f"Delete certificate {new.number}")).to_be_visible()
    expect(product.locator("dl")).to_contain_text(old.number)  # "Replaces"
    assert _window_survived(page), "× or Issue now reloaded the whole page"
    shot(page, "3-reissued")

    page.get_by_role("link", name="History").first.click()
    expect(page.get_by_role("link", name="History")).to_have_attribute("aria-current", "page")
    deleted_row = page.get_by_role("row").filter(has_text="deleted").filter(has_text=old.number)
    expect(deleted_row).to_contain_text(f"replaced by {new.number}")
    expect(deleted_row).to_contain_text("Name misspelt")
    issued_row = page.get_by_role("row").filter(has_text=f"replaces {old.number}")
    expect(issued_row).to_contain_text(new.number)
    shot(page, "4-history")


def test_expired_access_disables_issue_now_and_says_why(page, shot, school):
    project = school["project"]
    course = _course(project, "Django Web", lessons=2)
    contact = ContactFactory(project=project, name="Taras Melnyk", email="taras@example.com")
    access = access_grant(
        contact=contact,
        course=course,
        starts_at=timezone.now() - timezone.timedelta(days=60),
        ends_at=timezone.now() - timezone.timedelta(days=3),
    )
    log_in(page, "alice@example.com")
    _open_products(page, contact.name)

    product = _product(page, course)
    expect(product).to_contain_text("Access: expired")
    issue_now = product.get_by_role("button", name="Issue now")
    expect(issue_now).to_be_disabled()
    reason = (
        f"Access expired on {_day(access.ends_at)} "
        "— a certificate can only be issued with active access."
    )
    expect(issue_now).to_have_accessible_description(re.compile(re.escape(reason)))
    expect(product.get_by_text(f"Access expired on {_day(access.ends_at)}")).to_be_visible()
    shot(page, "products-expired")
    assert not Certificate.objects.filter(contact=contact).exists()


@pytest.fixture
def report_data(school):
    """Five certificates in two courses, automatic and manual, one deleted."""
    project, alice = school["project"], school["alice"]
    python = school["course"]
    django_course = _course(project, "Django Web", lessons=2)
    rows = [
        (python, "automatic", None, False),
        (python, "manual", alice, True),
        (python, "automatic", None, False),
        (django_course, "manual", alice, False),
        (django_course, "automatic", None, False),
    ]
    certificates = [
        CertificateFactory(
            course_certificate=course.certificate,
            method=method,
            issued_by=by,
            forced=forced,
            issued_at=timezone.now() - timezone.timedelta(days=index),
        )
        for index, (course, method, by, forced) in enumerate(rows)
    ]
    CertificateFactory(
        course_certificate=python.certificate, method="manual", deleted_at=timezone.now()
    )
    return {"python": python, "django": django_course, "certificates": certificates}


def _table_numbers(page) -> list[str]:
    return page.locator("#report-results tbody tr .cert-number").all_inner_texts()


def _csv_rows(download) -> list[dict]:
    with open(download.path(), encoding="utf-8-sig", newline="") as exported:
        return list(csv.DictReader(exported))


def test_report_filters_narrow_the_table_and_csv_export_matches(page, shot, report_data):
    log_in(page, "alice@example.com")
    page.goto("/staff/demo/reports/certificates/")
    expect(page.get_by_role("heading", name="Certificates report")).to_be_visible()
    totals = page.locator("#report-results").get_by_role("status")
    expect(totals).to_have_text("5 certificates")
    expect(page.locator("#report-results tbody tr")).to_have_count(5)
    shot(page, "1-all")

    page.get_by_role("combobox", name="Course", exact=True).select_option(label="Python Basics")
    expect(totals).to_have_text("3 certificates")
    expected = {c.number for c in report_data["certificates"][:3]}
    assert set(_table_numbers(page)) == expected
    expect(page).to_have_url(re.compile(r"course="))

    page.get_by_role("combobox", name="Method").select_option(label="manual")
    expect(totals).to_have_text("1 certificate")
    manual = report_data["certificates"][1].number
    assert _table_numbers(page) == [manual]
    shot(page, "2-python-manual")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    lines = _csv_rows(download)
    assert [row["Number"] for row in lines] == _table_numbers(page)
    assert lines[0]["Course"] == "Python Basics"
    assert lines[0]["Method"] == "manual"

    # Widening a filter widens the export too, deleted certificates included on request.
    page.get_by_role("combobox", name="Method").select_option(label="Any method")
    page.get_by_label("Include deleted").check()
    expect(totals).to_have_text("4 certificates")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    exported_numbers = [row["Number"] for row in _csv_rows(download_info.value)]
    assert sorted(exported_numbers) == sorted(_table_numbers(page))
    assert len(exported_numbers) == 4
    shot(page, "3-with-deleted")


def test_contact_card_in_ukrainian(page, shot, school):
    contact, course = school["contact"], school["course"]
    log_in(page, "alice@example.com")
    _open_products(page, contact.name)

    page.get_by_role("button", name="UK", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("link", name="Продукти")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Інформація")).to_be_visible()
    expect(page.get_by_role("link", name="Історія")).to_be_visible()
    expect(page.get_by_role("link", name="Контакти", exact=True).first).to_be_visible()
    product = _product(page, course)
    expect(product.get_by_text("очікує, курс не завершено")).to_be_visible()
    expect(product.get_by_role("button", name="Видати зараз")).to_be_visible()
    page.get_by_role("button", name="Курси").click()
    expect(page.get_by_role("heading", name="Усі звіти")).to_be_visible()
    expect(page.get_by_role("link", name="Сертифікати", exact=True)).to_be_visible()
    shot(page, "1-products-uk")

    certificate, _ = certificate_issue(
        contact=contact, course=course, actor=school["alice"], force=True
    )
    page.reload()
    expect(
        product.get_by_role("button", name=f"Видалити сертифікат {certificate.number}")
    ).to_be_visible()
    shot(page, "2-issued-uk")

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Products")).to_be_visible()
