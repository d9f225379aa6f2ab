import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent, TemplateRevision
from certificates.services import CertificateError, certificate_delete, certificate_issue
from tests.factories import AccessFactory, ContactFactory, CourseFactory
from tests.helpers import complete_lessons

KYIV = ZoneInfo("Europe/Kyiv")


def test_issue_now_before_completion_is_forced(contact, course, alice, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 14, 10, 0, tzinfo=KYIV), tick=False)
    AccessFactory(contact=contact, course=course)
    certificate, created = certificate_issue(
        contact=contact, course=course, actor=alice, force=True, reason="paid offline"
    )
    assert created
    assert certificate.number == "PY-2026-000001"
    assert certificate.snapshot["issue_date"] == "14 May 2026"
    assert certificate.method == Certificate.Method.MANUAL
    assert certificate.forced is True
    assert certificate.issued_by == alice
    assert certificate.snapshot["participant_name"] == "Олена Коваленко"
    assert certificate.snapshot["progress"]["completed"] == 0
    event = CertificateEvent.objects.get(certificate=certificate)
    assert (event.kind, event.actor, event.reason) == ("issued", alice, "paid offline")


def test_without_force_unmet_conditions_are_refused(access, contact, course, alice):
    with pytest.raises(CertificateError, match="3 of 3 lessons left"):
        certificate_issue(contact=contact, course=course, actor=alice)
    assert not Certificate.objects.exists()


def test_refused_without_a_certificate_configured(contact, alice):
    course = CourseFactory(project=contact.project, title="English Club")
    AccessFactory(contact=contact, course=course)
    with pytest.raises(CertificateError, match="“English Club” has no certificate configured"):
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("change", "state"),
    [
        ({"ends_at": timezone.now() - timezone.timedelta(minutes=1)}, "expired"),
        ({"paused_at": timezone.now()}, "paused"),
        ({"revoked_at": timezone.now()}, "revoked"),
    ],
)
def test_refused_without_active_access(access, contact, course, alice, change, state):
    for name, value in change.items():
        setattr(access, name, value)
    access.starts_at = timezone.now() - timezone.timedelta(days=5)
    access.save()
    with pytest.raises(CertificateError, match=f"no active access.*{state}"):
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert not Certificate.objects.exists()


def test_refused_with_no_access_at_all(contact, course, alice):
    with pytest.raises(CertificateError, match="no active access"):
        certificate_issue(contact=contact, course=course, actor=alice, force=True)


def test_issuing_twice_returns_the_existing_certificate(access, contact, course, alice):
    first, created = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    again, created_again = certificate_issue(
        contact=contact, course=course, actor=alice, force=True
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1


def test_the_database_refuses_a_second_live_certificate(access, contact, course, alice):
    first, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    duplicate = Certificate.objects.get(pk=first.pk)
    duplicate.pk = None
    duplicate.public_id = None
    duplicate.number, duplicate.sequence, duplicate.code = "X-1", 999, "OTHERCODE"
    import uuid

    duplicate.public_id = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)


def test_numbers_and_codes_are_unique_at_the_database(access, contact, course, alice):
    first, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    other = ContactFactory(project=contact.project)
    AccessFactory(contact=other, course=course)
    second, _ = certificate_issue(contact=other, course=course, actor=alice, force=True)
    assert second.number.endswith("000002")
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=second.pk).update(number=first.number)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=second.pk).update(code=first.code)


def test_delete_keeps_the_row_and_who_when_why(access, contact, course, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=certificate, actor=alice, reason="Wrong name")
    certificate.refresh_from_db()
    assert certificate.deleted_at is not None
    assert certificate.deleted_by == alice
    assert certificate.delete_reason == "Wrong name"
    assert CertificateEvent.objects.filter(certificate=certificate, kind="deleted").count() == 1
    # idempotent: a second delete changes nothing and logs nothing
    certificate_delete(certificate=certificate, actor=None, reason="again")
    certificate.refresh_from_db()
    assert certificate.deleted_by == alice
    assert CertificateEvent.objects.filter(certificate=certificate, kind="deleted").count() == 1


def test_reissue_is_delete_then_issue_now_with_a_new_number(access, contact, course, alice):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=old, actor=alice, reason="template updated")
    contact.name = "Olena Kovalenko"
    contact.save()
    new, created = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert created
    assert new.number != old.number
    assert new.replaces == old
    assert new.snapshot["participant_name"] == "Olena Kovalenko"
    old.refresh_from_db()
    assert old.snapshot["participant_name"] == "Олена Коваленко"


def test_complete_course_issues_without_force(access, contact, course, alice):
    complete_lessons(contact, course)
    certificate, created = certificate_issue(contact=contact, course=course, actor=alice)
    assert created and certificate.forced is False


def test_a_certificate_prints_the_templates_current_revision(contact, course, alice, access):
    """Read with the access (one join); one not kept yet is made then, with the template's
    language printed from it."""
    template = course.certificate.template
    TemplateRevision.objects.create(template=template, version=1, html="<p>v1</p>")
    template.version, template.language = 2, "uk"
    template.save()
    first, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    made = TemplateRevision.objects.get(template=template, version=2)
    assert (first.template_revision, first.snapshot["language"]) == (made, "uk")
    assert first.snapshot["template_version"] == 2

    certificate_delete(certificate=first, actor=alice)
    again, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert again.template_revision == made
    assert TemplateRevision.objects.filter(template=template).count() == 2
