"""A course whose certificates are all printed from an older template: work for a reissue job."""

from certificates.models import Certificate, CertificateEvent, NumberSequence
from certificates.services import template_save
from tests.factories import AccessFactory, CertificateFactory, ContactFactory


def outdated_certificates(project, course, n: int) -> list[Certificate]:
    """`n` participants with access and a certificate of template version 1, now at version 2.

    Written directly (no render, no email queued), numbered below the project's counter.
    """
    course_certificate = course.certificate
    certificates = []
    for _ in range(n):
        contact = ContactFactory(project=project)
        AccessFactory(contact=contact, course=course)
        certificates.append(
            CertificateFactory(course_certificate=course_certificate, contact=contact)
        )
    NumberSequence.objects.update_or_create(project=project, defaults={"last_value": 1_000_000})
    template = course_certificate.template
    template.css += "\nh1 { color: #800; }"
    template_save(template=template)
    return certificates


def assert_each_reissued_once(course, old: list[Certificate]) -> None:
    """Every old certificate deleted and replaced by exactly one new one, with one event each."""
    course_certificate = course.certificate
    live = Certificate.objects.live().filter(course_certificate=course_certificate)
    assert live.count() == len(old)
    assert sorted(live.values_list("replaces_id", flat=True)) == sorted(c.id for c in old)
    assert set(live.values_list("template_revision__version", flat=True)) == {2}
    assert Certificate.objects.filter(course_certificate=course_certificate).count() == 2 * len(old)
    assert Certificate.objects.filter(
        pk__in=[c.id for c in old], deleted_at__isnull=False
    ).count() == len(old)
    events = CertificateEvent.objects.filter(certificate__course_certificate=course_certificate)
    assert events.filter(kind="issued").count() == len(old)
    assert events.filter(kind="deleted").count() == len(old)
