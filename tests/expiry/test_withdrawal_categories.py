"""Public withdrawal reasons: the verify page and its JSON show the category, never the text."""

import json

import pytest
from django.urls import reverse

from certificates import bulk
from certificates.models import BulkJob, Certificate
from certificates.services import (
    CertificateError,
    certificate_delete,
    certificate_issue,
    certificate_reissue,
    template_save,
)

SECRET = "Caught copying answers from a neighbour, see incident report 17"


@pytest.fixture
def issued(contact, course, access, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    return certificate


def _verify(client, certificate, **params):
    return client.get(reverse("public:verify", args=[certificate.code]), params)


@pytest.mark.parametrize(
    ("category", "label"),
    [
        ("issued_in_error", "Issued in error"),
        ("name_correction", "Name correction"),
        ("template_update", "Template update"),
        ("misconduct", "Misconduct"),
        ("other", "Other"),
    ],
)
def test_the_page_and_json_show_the_category_not_the_text(client, issued, alice, category, label):
    certificate_delete(certificate=issued, actor=alice, reason=SECRET, category=category)

    page = _verify(client, issued).content.decode()
    raw = _verify(client, issued, format="json").content.decode()

    assert f"Reason: {label}" in page
    assert json.loads(raw)["withdrawal_reason"] == category
    for public in (page, raw):
        assert SECRET not in public
        assert "incident report" not in public


def test_the_category_in_ukrainian(client, issued, alice):
    certificate_delete(certificate=issued, actor=alice, reason=SECRET, category="misconduct")
    client.cookies["django_language"] = "uk"

    page = _verify(client, issued).content.decode()

    assert "Причина: Порушення правил" in page
    assert SECRET not in page


def test_an_unknown_category_is_refused(issued, alice):
    with pytest.raises(CertificateError, match="Choose why the certificate is withdrawn"):
        certificate_delete(certificate=issued, actor=alice, category="renamed-by-hacker")
    issued.refresh_from_db()
    assert issued.deleted_at is None


def test_the_delete_form_asks_for_a_category(staff_client, project, issued):
    url = reverse("staff:certificate_delete", args=[project.slug, issued.public_id])

    form = staff_client.get(url).content.decode()

    assert 'name="category"' in form
    assert '<option value="misconduct">Misconduct</option>' in form
    assert 'value="renewed"' not in form  # a renewal sets it; staff do not choose it
    assert "Shown on the public verification page." in form


def test_delete_from_the_products_tab_with_a_category(staff_client, project, issued):
    url = reverse("staff:certificate_delete", args=[project.slug, issued.public_id])

    staff_client.post(url, {"category": "issued_in_error", "reason": SECRET})

    issued.refresh_from_db()
    assert (issued.delete_category, issued.delete_reason) == ("issued_in_error", SECRET)


def test_a_hostile_category_is_a_message_not_a_500(staff_client, project, issued):
    url = reverse("staff:certificate_delete", args=[project.slug, issued.public_id])

    response = staff_client.post(url, {"category": "x" * 5000}, follow=True)

    assert response.status_code == 200
    assert "Choose why the certificate is withdrawn." in response.content.decode()
    issued.refresh_from_db()
    assert issued.deleted_at is None


def test_reissue_after_a_name_change_is_a_name_correction(contact, issued, alice):
    contact.name = "Олена Петренко"
    contact.save()
    issued = Certificate.objects.get(pk=issued.pk)

    certificate_reissue(certificate=issued, actor=alice)

    issued.refresh_from_db()
    assert issued.delete_category == "name_correction"


def test_reissue_form_defaults_to_name_correction_and_sends_the_choice(
    staff_client, project, issued
):
    url = reverse("staff:certificate_reissue", args=[project.slug, issued.public_id])

    form = staff_client.get(url).content.decode()
    assert '<option value="name_correction" selected>Name correction</option>' in form

    staff_client.post(url, {"category": "issued_in_error"})
    issued.refresh_from_db()
    assert issued.delete_category == "issued_in_error"


def test_bulk_reissue_is_a_template_update(project, course, issued, alice):
    template = course.certificate.template
    template.html += "<p>v2</p>"
    template_save(template=template)
    job = BulkJob.objects.create(
        project=project,
        course_certificate=course.certificate,
        kind=BulkJob.Kind.REISSUE,
        created_by=alice,
    )

    bulk.bulk_job_run(job_id=job.id)

    issued.refresh_from_db()
    assert issued.state == "replaced"
    assert issued.delete_category == "template_update"
