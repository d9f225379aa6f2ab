"""A certificate whose PDF cannot be drawn: staff and the student get a message page, not a 500."""

from pathlib import Path

import pytest
from django.urls import reverse

from certificates.models import Certificate, TemplateRevision
from certificates.services import certificate_issue, certificate_store_pdf
from tests.factories import AccessFactory, UserFactory

THREE_PAGES = '<p style="page-break-after: always">1</p><p style="page-break-after: always">2</p>3'


@pytest.fixture
def unrenderable(contact, course, alice):
    """Issued and stored; then its file is lost and its template revision no longer renders."""
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_store_pdf(certificate=certificate)
    certificate = Certificate.objects.get(pk=certificate.pk)
    Path(certificate.pdf.path).unlink()
    # As a revision saved before the page limit: written directly, past the service's checks.
    TemplateRevision.objects.filter(pk=certificate.template_revision_id).update(html=THREE_PAGES)
    return certificate


def test_staff_download_is_a_503_page_with_the_reason(client, alice, project, unrenderable):
    client.force_login(alice)
    url = reverse("staff:certificate_download", args=[project.slug, unrenderable.public_id])
    response = client.get(url)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "120"
    html = response.content.decode()
    assert f"The PDF of certificate {unrenderable.number} cannot be produced" in html
    assert "The certificate runs over 2 pages; a certificate may have at most 2." in html
    template = unrenderable.template_revision.template
    assert reverse("staff:template_edit", args=[project.slug, template.public_id]) in html


def test_student_download_and_view_are_a_503_page(client, contact, unrenderable):
    student = UserFactory(email="olena@example.com")
    contact.user = student
    contact.save(update_fields=["user"])
    client.force_login(student)
    for name in ("portal:download", "portal:view"):
        response = client.get(reverse(name, args=[unrenderable.public_id]))
        assert response.status_code == 503
        html = response.content.decode()
        assert "Your certificate’s PDF is not available right now" in html
        assert f"Certificate {unrenderable.number} is valid" in html
        assert "runs over" not in html  # the technical reason is for staff


def test_a_renderable_certificate_downloads_again_after_the_template_is_fixed(
    client, alice, project, unrenderable
):
    TemplateRevision.objects.filter(pk=unrenderable.template_revision_id).update(
        html="<p>{{ participant_name }}</p>"
    )
    client.force_login(alice)
    url = reverse("staff:certificate_download", args=[project.slug, unrenderable.public_id])
    response = client.get(url)
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF-")
