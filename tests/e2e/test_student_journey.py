"""The article's student flow in a browser: finish the course, get the certificate and its Open
Badge, check them by address and by file (and an edited copy, reported modified)."""

import json
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from certificates.models import Certificate
from courses.services import access_grant, lesson_complete
from tests.factories import ContactFactory, ProjectFactory, UserFactory, course_with_certificate
from tests.trust.test_pdf_signing import edited

from .conftest import log_in


@pytest.fixture
def student_course(site_url):
    """Олена has done 2 of the 3 lessons of "Python Basics"; finishing it earns the certificate."""
    project = ProjectFactory(name="Demo School", slug="demo")
    course = course_with_certificate(project, lessons=3)
    course.title = "Python Basics"
    course.save(update_fields=["title"])
    user = UserFactory(email="olena@example.com")
    contact = ContactFactory(
        project=project, name="Олена Коваленко", email="olena@example.com", user=user
    )
    access_grant(contact=contact, course=course)
    lessons = list(course.lessons.order_by("position"))
    for lesson in lessons[:2]:
        lesson_complete(contact=contact, lesson=lesson)
    return {"course": course, "contact": contact, "last_lesson": lessons[-1]}


def test_student_completes_the_course_downloads_the_pdf_and_verifies_it(
    page, shot, pdf_picture, student_course, tmp_path, mailoutbox
):
    contact = student_course["contact"]
    last_lesson = student_course["last_lesson"]
    assert not Certificate.objects.filter(contact=contact).exists()

    log_in(page, "olena@example.com")
    page.get_by_role("link", name="My courses").first.click()
    expect(page.get_by_role("heading", name="My courses")).to_be_visible()
    card = page.get_by_role("region", name="Python Basics")
    expect(card.get_by_text("2 of 3 lessons")).to_be_visible()
    expect(card.get_by_text("Certificate: pending, course not completed")).to_be_visible()
    shot(page, "1-my-courses")

    card.get_by_role("link", name=f"Continue: {last_lesson.title}").click()
    expect(page.get_by_role("heading", name=last_lesson.title)).to_be_visible()
    page.get_by_role("button", name="Mark as complete").click()

    # Completing the last lesson issues the certificate automatically, and the student is told.
    expect(page.get_by_role("heading", name="My courses")).to_be_visible()
    certificate = Certificate.objects.live().get(contact=contact)
    assert certificate.method == "automatic"
    expect(page.get_by_role("status").filter(has_text=certificate.number)).to_contain_text(
        "has been issued"
    )
    expect(card.get_by_text("3 of 3 lessons")).to_be_visible()
    expect(card.get_by_role("link", name=re.compile("Certificate issued"))).to_contain_text(
        certificate.number
    )
    shot(page, "2-course-completed")

    page.get_by_role("link", name="My certificates").first.click()
    expect(page.get_by_role("heading", name="My certificates", level=1)).to_be_visible()
    entry = page.get_by_role("region", name="Certificate of Completion")
    expect(entry).to_contain_text("Python Basics")
    expect(entry).to_contain_text(certificate.number)
    shot(page, "3-my-certificates")

    with page.expect_download() as download_info:
        entry.get_by_role("link", name=f"Download {certificate.number}").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.number}.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert "Олена Коваленко" in text
    assert certificate.number in text
    pdf_picture(pdf_path.read_bytes(), "4-downloaded-pdf")

    # The same certificate as an Open Badge 3.0 credential (a VC-JWT in a JSON envelope).
    with page.expect_download() as download_info:
        entry.get_by_role("link", name=f"Open Badge {certificate.number}").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.number}.json"
    credential_path = tmp_path / download.suggested_filename
    download.save_as(credential_path)
    envelope = json.loads(credential_path.read_text())
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["id"].startswith("data:application/vc+jwt,ey")

    # The address printed on the PDF is the one that opens the verification page.
    printed = re.search(r"https?://\S+/verify/[A-Za-z0-9]+/", text.replace("\n", ""))
    assert printed, f"no verification URL in the PDF text: {text!r}"
    assert printed.group(0) == entry.get_by_label("Verification link").input_value()
    # Someone the student shows it to: no login, just the printed address.
    visitor = page.context.browser.new_context()
    try:
        verify = visitor.new_page()
        verify.goto(printed.group(0))
        expect(verify.get_by_role("heading", name="Certificate verification")).to_be_visible()
        verdict = verify.get_by_role("status")
        expect(verdict).to_contain_text("This certificate is valid.")
        expect(verdict).to_contain_text("It was issued by Demo School.")
        details = verify.get_by_role("main")
        for shown in ("Олена Коваленко", certificate.number, "Python Basics"):
            expect(details).to_contain_text(shown)
        expect(verify.locator("body")).not_to_contain_text("olena@example.com")
        shot(verify, "5-verify")

        # The file itself, uploaded on the verify page: the signed PDF is intact and names its
        # certificate; a copy with one byte of its content changed is reported modified.
        verify.get_by_role("link", name="Check another code or a certificate file").click()
        verify.get_by_label("Certificate file").set_input_files(str(pdf_path))
        verify.get_by_role("button", name="Check the file").click()
        verdict = verify.get_by_role("status")
        expect(verdict).to_contain_text("This PDF is an intact, signed certificate.")
        expect(verdict).to_contain_text("The certificate is valid.")
        expect(verify.get_by_role("link", name=certificate.number)).to_have_attribute(
            "href", f"/verify/{certificate.code}/"
        )
        shot(verify, "6-verify-file-intact")

        edited_path = tmp_path / "edited.pdf"
        edited_path.write_bytes(edited(pdf_path.read_bytes()))
        verify.get_by_label("Certificate file").set_input_files(str(edited_path))
        verify.get_by_role("button", name="Check the file").click()
        expect(verify.get_by_role("alert")).to_contain_text(
            "This file was modified after it was signed."
        )
        expect(verify.get_by_role("main")).not_to_contain_text("intact")
        expect(verify.get_by_role("main")).not_to_contain_text(certificate.number)
        shot(verify, "7-verify-file-modified")

        # The Open Badge from My certificates checks on the same page.
        verify.get_by_label("Certificate file").set_input_files(str(credential_path))
        verify.get_by_role("button", name="Check the file").click()
        verdict = verify.get_by_role("status")
        expect(verdict).to_contain_text("This credential is intact and signed.")
        expect(verify.get_by_role("link", name=certificate.number)).to_be_visible()
    finally:
        visitor.close()

    # The issue email went out once, with the way to My certificates.
    sent = [m for m in mailoutbox if m.to == ["olena@example.com"]]
    assert len(sent) == 1 and "/my/certificates/" in sent[0].body


def test_my_certificates_in_ukrainian(page, shot, student_course):
    contact = student_course["contact"]
    lesson_complete(contact=contact, lesson=student_course["last_lesson"])
    certificate = Certificate.objects.live().get(contact=contact)

    log_in(page, "olena@example.com")
    page.get_by_role("button", name="UK", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    page.get_by_role("link", name="Мої сертифікати").first.click()
    expect(page.get_by_role("heading", name="Мої сертифікати", level=1)).to_be_visible()
    download_link = page.get_by_role("link", name=f"Завантажити {certificate.number}")
    expect(download_link).to_be_visible()
    shot(page, "my-certificates-uk")
    with page.expect_download() as download_info:
        download_link.click()
    assert download_info.value.suggested_filename == f"{certificate.number}.pdf"
