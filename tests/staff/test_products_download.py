from django.urls import reverse

from certificates.services import certificate_delete, certificate_issue
from tests.factories import AccessFactory, ProjectFactory, course_with_certificate
from tests.helpers import pdf_text


def download_url(certificate, slug="demo"):
    return reverse("staff:certificate_download", args=[slug, certificate.public_id])


def assert_is_the_pdf_of(response, certificate):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'attachment; filename="{certificate.number}.pdf"')
    pdf = response.getvalue()  # a stream: read once
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert certificate.number in text
    assert "Олена Коваленко" in text


def test_staff_download_the_pdf(client, alice, certificate):
    client.force_login(alice)
    assert_is_the_pdf_of(client.get(download_url(certificate)), certificate)


def test_a_deleted_certificate_stays_downloadable_for_the_record(client, alice, certificate):
    certificate_delete(certificate=certificate, actor=alice)
    client.force_login(alice)
    assert_is_the_pdf_of(client.get(download_url(certificate)), certificate)


def test_a_certificate_of_another_project_is_404(client, alice):
    other = ProjectFactory()
    course = course_with_certificate(other, lessons=1)
    access = AccessFactory(course=course, contact__project=other)
    foreign, _ = certificate_issue(contact=access.contact, course=course, actor=alice, force=True)
    client.force_login(alice)
    assert client.get(download_url(foreign)).status_code == 404
