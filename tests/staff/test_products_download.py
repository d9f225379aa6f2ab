import io

from django.urls import reverse
from pypdf import PdfReader

from certificates.services import certificate_delete, certificate_issue
from tests.factories import AccessFactory, ProjectFactory, course_with_certificate


def download_url(certificate, slug="demo"):
    return reverse("staff:certificate_download", args=[slug, certificate.public_id])


def test_staff_download_the_pdf(client, alice, certificate):
    client.force_login(alice)
    response = client.get(download_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{certificate.number}.pdf"' in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert certificate.number in text
    assert "Олена Коваленко" in text


def test_a_deleted_certificate_stays_downloadable_for_the_record(client, alice, certificate):
    certificate_delete(certificate=certificate, actor=alice)
    client.force_login(alice)
    assert client.get(download_url(certificate)).status_code == 200


def test_a_certificate_of_another_project_is_404(client, alice):
    other = ProjectFactory()
    course = course_with_certificate(other, lessons=1)
    access = AccessFactory(course=course, contact__project=other)
    foreign, _ = certificate_issue(contact=access.contact, course=course, actor=alice, force=True)
    client.force_login(alice)
    assert client.get(download_url(foreign)).status_code == 404


def test_staff_of_another_school_gets_404(client, charlie, certificate):
    client.force_login(charlie)
    assert client.get(download_url(certificate)).status_code == 404
