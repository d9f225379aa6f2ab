"""The new placeholders print what the certificate's snapshot froze at issue."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from certificates import defaults, rendering
from certificates.models import Certificate, CourseCertificate
from certificates.services import certificate_issue, certificate_pdf
from courses.models import LessonProgress
from tests.factories import AccessFactory, TemplateFactory, course_with_certificate
from tests.helpers import complete_lessons, pdf_text

FIELDS_HTML = """<p>S={{ signer_name }}</p><p>T={{ signer_title }}</p>
<p>H={{ course_hours }}</p><p>F={{ final_test_score }}</p><p>C={{ completion_date }}</p>
<p>{{ custom_1_label }}={{ custom_1 }}</p><p>{{ custom_2_label }}={{ custom_2 }}</p>
<p>{{ if completed }}BRANCH-COMPLETED{{ else }}BRANCH-ATTENDED{{ end }}</p>
<p>{{ if forced }}BRANCH-FORCED{{ end }}</p><div>{{ signature_image }}</div>"""


def png_bytes(size=(60, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def rich_course(project):
    course = course_with_certificate(
        project,
        lessons=2,
        test=True,
        template=TemplateFactory(project=project, html=FIELDS_HTML, css=""),
        signer_name="Iryna Melnyk",
        signer_title="Director <of> Studies",
        custom_fields=[{"label": "Credits", "value": "3 ECTS"}, {"label": "Room", "value": "12"}],
    )
    course.hours = 36
    course.save()
    return course


def test_each_new_placeholder_prints_its_snapshot_value(rich_course, contact, alice):
    AccessFactory(contact=contact, course=rich_course)
    complete_lessons(contact, rich_course, score=92)
    LessonProgress.objects.filter(contact=contact).update(
        completed_at=timezone.make_aware(dt.datetime(2026, 11, 20, 12, 0))
    )
    certificate, _ = certificate_issue(contact=contact, course=rich_course, actor=alice)
    text = pdf_text(certificate_pdf(certificate=certificate))
    assert "S=Iryna Melnyk" in text
    assert "T=Director <of> Studies" in text
    assert "H=36" in text
    assert "F=92%" in text
    assert "C=20 November 2026" in text
    assert "Credits=3 ECTS" in text
    assert "Room=12" in text
    assert "BRANCH-COMPLETED" in text
    assert "BRANCH-ATTENDED" not in text and "BRANCH-FORCED" not in text


def test_a_forced_certificate_prints_the_else_branch_and_no_completion_date(
    rich_course, contact, alice
):
    AccessFactory(contact=contact, course=rich_course)
    certificate, _ = certificate_issue(contact=contact, course=rich_course, actor=alice, force=True)
    assert certificate.snapshot["completed"] is False
    text = pdf_text(certificate_pdf(certificate=certificate))
    assert "BRANCH-ATTENDED" in text
    assert "BRANCH-FORCED" in text
    assert "BRANCH-COMPLETED" not in text
    assert "C=2" not in text  # no completion date on a certificate issued before completion
    assert "F=\n" in text  # no test score yet


def test_later_changes_do_not_alter_an_issued_certificate(rich_course, contact, alice):
    AccessFactory(contact=contact, course=rich_course)
    certificate, _ = certificate_issue(contact=contact, course=rich_course, actor=alice, force=True)
    cc = CourseCertificate.objects.get(course=rich_course)
    cc.signer_name, cc.custom_fields = "Someone Else", [{"label": "Credits", "value": "9"}]
    cc.save()
    rich_course.hours = 99
    rich_course.save()
    text = pdf_text(certificate_pdf(certificate=Certificate.objects.get(pk=certificate.pk)))
    assert "S=Iryna Melnyk" in text and "H=36" in text and "Credits=3 ECTS" in text


def test_the_signature_is_stored_per_school_and_printed(
    staff_client, rich_course, contact, alice, project, settings
):
    cc = CourseCertificate.objects.get(course=rich_course)
    url = reverse("staff:course_certificate", args=[project.slug, rich_course.public_id])
    data = {
        "template": cc.template_id,
        "title": "Certificate of Completion",
        "number_prefix": "PY",
        "number_format": "{prefix}-{year}-{seq:06}",
        "completion": "all",
        "min_percent": "100",
        "signer_name": "Iryna Melnyk",
        "signer_title": "Director",
        "custom_1_label": "Credits",
        "custom_1": "3 ECTS",
        "signature": SimpleUploadedFile("sig.png", png_bytes(), content_type="image/png"),
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302
    cc.refresh_from_db()
    assert cc.signature.name.startswith(f"certificate-backgrounds/{project.id}/")
    assert cc.signature.name != f"certificate-backgrounds/{project.id}/sig.png"
    assert cc.custom_fields == [{"label": "Credits", "value": "3 ECTS"}]
    AccessFactory(contact=contact, course=rich_course)
    certificate, _ = certificate_issue(contact=contact, course=rich_course, actor=alice, force=True)
    assert certificate.snapshot["signature_image"] == cc.signature.name
    html = rendering.fill_placeholders("{{ signature_image }}", certificate.snapshot)
    assert html.startswith('<img class="signature"')
    path = (settings.MEDIA_ROOT / cc.signature.name).resolve()
    assert (
        rendering.allowed_file(path.as_uri(), sandbox=rendering.Sandbox.for_school(project.id))
        == path
    )
    # Another school's render may not read it.
    assert (
        rendering.allowed_file(path.as_uri(), sandbox=rendering.Sandbox.for_school(project.id + 1))
        is None
    )
    # The PDF carries the picture: the one raster image on the page (the QR code is vector).
    page = PdfReader(io.BytesIO(certificate_pdf(certificate=certificate))).pages[0]
    assert len(page.images) == 1


def test_a_signature_that_is_not_an_image_is_refused(staff_client, rich_course, project):
    cc = CourseCertificate.objects.get(course=rich_course)
    url = reverse("staff:course_certificate", args=[project.slug, rich_course.public_id])
    response = staff_client.post(
        url,
        {
            "template": cc.template_id,
            "title": "X",
            "number_format": "{prefix}-{year}-{seq:06}",
            "completion": "all",
            "signature": SimpleUploadedFile("sig.png", b"not a png", content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert "signature" in response.context["form"].errors


def test_values_are_escaped_and_signature_names_checked():
    values = {**defaults.SAMPLE_VALUES, "signer_name": "<b>x</b>", "signature_image": "../x.png"}
    html = rendering.fill_placeholders("{{ signer_name }}|{{ signature_image }}|", values)
    assert html == "&lt;b&gt;x&lt;/b&gt;||"
