"""Rules defined once: what "outdated" means, a certificate's state, template changes."""

from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from certificates.bulk import bulk_summary
from certificates.models import Certificate, CertificateTemplate
from certificates.services import (
    certificate_delete,
    certificate_issue,
    course_certificate_save,
)
from tests.factories import AccessFactory, ContactFactory, TemplateFactory, UserFactory


def report_numbers(client, project, **params):
    url = reverse("staff:certificates_report", args=[project.slug])
    html = client.get(url, params).content.decode()
    return [c.number for c in Certificate.objects.all() if c.number in html]


def test_a_course_that_switched_template_is_outdated_for_the_bulk_job_and_the_report(
    client, project, course, alice
):
    contact = ContactFactory(project=project)
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    other = TemplateFactory(project=project, name="Modern")
    settings = course.certificate
    course_certificate_save(
        course=course,
        template=other,
        title=settings.title,
        number_prefix=settings.number_prefix,
        number_format=settings.number_format,
    )
    settings.refresh_from_db()
    client.force_login(alice)

    assert bulk_summary(settings)["outdated"] == 1
    assert report_numbers(client, project, outdated="on") == [certificate.number]
    assert list(Certificate.objects.outdated()) == [certificate]


def test_a_certificate_of_the_current_template_is_not_outdated(client, project, course, alice):
    contact = ContactFactory(project=project)
    AccessFactory(contact=contact, course=course)
    certificate_issue(contact=contact, course=course, actor=alice, force=True)
    client.force_login(alice)

    assert bulk_summary(course.certificate)["outdated"] == 0
    assert report_numbers(client, project, outdated="on") == []


def test_state_valid_withdrawn_replaced(project, course, alice):
    first_contact, second_contact = ContactFactory(project=project), ContactFactory(project=project)
    for contact in (first_contact, second_contact):
        AccessFactory(contact=contact, course=course)
    replaced, _ = certificate_issue(contact=first_contact, course=course, actor=alice, force=True)
    withdrawn, _ = certificate_issue(contact=second_contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=replaced, actor=alice)
    certificate_delete(certificate=withdrawn, actor=alice)
    valid, _ = certificate_issue(contact=first_contact, course=course, actor=alice, force=True)

    states = {c.pk: c.state for c in Certificate.objects.select_related("replaced_by")}

    assert states == {replaced.pk: "replaced", withdrawn.pk: "withdrawn", valid.pk: "valid"}


def test_templates_are_read_only_in_the_django_admin(project):
    template = TemplateFactory(project=project)
    admin = site._registry[CertificateTemplate]
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)

    assert admin.has_add_permission(request) is False
    assert admin.has_change_permission(request, template) is False
    assert admin.has_delete_permission(request, template) is False
    assert admin.has_view_permission(request, template) is True
