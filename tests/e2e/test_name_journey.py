"""A corrected name, the way staff do it: Info → Edit names → Products → Reissue in one step."""

import io

from playwright.sync_api import expect
from pypdf import PdfReader

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


def test_staff_correct_a_name_and_reissue_in_one_step(page, shot, site_url):
    project = ProjectFactory(name="Demo School", slug="demo")
    alice = MembershipFactory(project=project, user=UserFactory(email="alice@example.com")).user
    course = course_with_certificate(project, lessons=2)
    contact = ContactFactory(project=project, name="Олена Коваленко", email="olena@example.com")
    access_grant(contact=contact, course=course)
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)

    log_in(page, "alice@example.com")
    page.goto(f"/staff/demo/contacts/{contact.public_id}/")
    page.get_by_role("link", name="Edit names").click()
    page.get_by_label("Name on certificates").fill("Olena Kovalenko")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("were saved")

    page.get_by_role("link", name="Products").click()
    product = page.get_by_role("region", name=course.title)
    expect(product.get_by_text("name changed since issue")).to_be_visible()
    shot(page, "1-flagged")
    product.get_by_role("button", name="Reissue with the new name").click()
    expect(product.get_by_text(f"Reissue certificate {old.number}?")).to_be_visible()
    product.get_by_label("Reason (optional)").fill("Name corrected at the student's request")
    shot(page, "2-confirm")
    product.get_by_role("button", name="Reissue certificate").click()

    expect(product.get_by_role("status")).to_contain_text("issued to Olena Kovalenko")
    new = Certificate.objects.live().get(contact=contact)
    expect(product.get_by_text(new.number, exact=True)).to_be_visible()
    expect(product.get_by_text("name changed since issue")).to_have_count(0)
    shot(page, "3-reissued")

    with page.expect_download() as download:
        product.get_by_role("link", name="Download PDF").click()
    text = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages[0].extract_text()
    assert "Olena Kovalenko" in text and new.number in text

    page.goto(f"/verify/{old.code}/")
    expect(page.get_by_text(f"It was replaced by {new.number}.")).to_be_visible()
