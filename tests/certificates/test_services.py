"""Issue / delete / reissue: refusals, idempotence, the frozen snapshot and the forced flag."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateTemplate,
    NumberSequence,
    TemplateRevision,
)
from certificates.services import (
    CertificateError,
    certificate_delete,
    certificate_issue,
    certificate_pdf,
    certificate_reissue,
    template_save,
)
from courses.models import LessonProgress
from tests.factories import AccessFactory, ContactFactory, CourseFactory, course_with_certificate
from tests.helpers import complete_lessons, pdf_text


def written():
    """Everything an issue writes; a refusal must leave all of it unchanged."""
    return (
        Certificate.objects.count(),
        CertificateEvent.objects.count(),
        list(NumberSequence.objects.values_list("project_id", "last_value")),
    )


@pytest.fixture
def refusal_baseline(project, alice):
    """Another contact's certificate, so the counter exists and must not move on a refusal."""
    course = course_with_certificate(project)
    other = ContactFactory(project=project)
    AccessFactory(contact=other, course=course)
    certificate_issue(contact=other, course=course, actor=alice, force=True)
    return written()


def test_refusal_without_configuration_writes_nothing(contact, alice, refusal_baseline):
    course = CourseFactory(project=contact.project)
    AccessFactory(contact=contact, course=course)
    with pytest.raises(CertificateError, match="has no certificate configured"):
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert written() == refusal_baseline


@pytest.mark.parametrize("state", ["expired", "paused", "revoked", "not started yet", "none"])
def test_refusal_without_active_access_writes_nothing(
    contact, course, alice, refusal_baseline, state
):
    now = timezone.now()
    # Every lesson was completed while the access was active; then the access lapsed.
    access = AccessFactory(contact=contact, course=course, starts_at=now - timedelta(days=9))
    complete_lessons(contact, course)
    if state == "none":
        access.delete()
    else:
        if state == "expired":
            access.ends_at = now - timedelta(days=1)
        elif state == "paused":
            access.paused_at = now
        elif state == "revoked":
            access.revoked_at = now
        else:
            access.starts_at = now + timedelta(days=1)
        access.save()
    with pytest.raises(CertificateError) as info:
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    expected = "no access" if state == "none" else state
    assert str(info.value) == (
        f"Олена Коваленко has no active access to “{course.title}” ({expected})."
    )
    assert written() == refusal_baseline


def test_refusal_on_unmet_conditions_writes_nothing(
    access, contact, course, alice, refusal_baseline
):
    first = course.lessons.order_by("position").first()
    LessonProgress.objects.create(contact=contact, lesson=first, completed_at=timezone.now())
    with pytest.raises(CertificateError) as info:
        certificate_issue(contact=contact, course=course, actor=alice)
    assert str(info.value) == "Олена Коваленко has not met the conditions yet: 2 of 3 lessons left."
    assert written() == refusal_baseline


def test_automatic_issuance_can_never_force(access, contact, course, refusal_baseline):
    with pytest.raises(CertificateError, match="not met the conditions"):
        certificate_issue(contact=contact, course=course, actor=None, force=True)
    assert written() == refusal_baseline


def test_a_course_of_another_school_is_not_configured_for_this_contact(contact, alice, charlie):
    foreign = course_with_certificate(charlie.memberships.get().project)
    with pytest.raises(CertificateError, match="no certificate configured"):
        certificate_issue(contact=contact, course=foreign, actor=alice, force=True)
    assert not Certificate.objects.exists()


def test_forced_only_when_conditions_are_unmet(access, contact, course, alice):
    complete_lessons(contact, course)
    certificate, created = certificate_issue(
        contact=contact, course=course, actor=alice, force=True
    )
    assert created
    assert certificate.forced is False  # "Issue now" on a completed course is not early
    assert certificate.method == Certificate.Method.MANUAL
    assert certificate.snapshot["progress"]["conditions_met"] is True


def test_issue_now_early_is_forced_and_records_progress(access, contact, course, alice):
    first = course.lessons.order_by("position").first()
    LessonProgress.objects.create(contact=contact, lesson=first, completed_at=timezone.now())
    certificate, _ = certificate_issue(
        contact=contact, course=course, actor=alice, force=True, reason="  finished offline  "
    )
    assert certificate.forced is True
    assert certificate.issue_reason == "finished offline"
    assert certificate.snapshot["progress"] == {
        "completed": 1,
        "total": 3,
        "percent": 33,
        "conditions_met": False,
        "tests": [],
    }


def test_automatic_issue_has_no_issuer(access, contact, course):
    complete_lessons(contact, course)
    certificate, created = certificate_issue(contact=contact, course=course)
    assert created
    assert (certificate.method, certificate.issued_by, certificate.forced) == (
        Certificate.Method.AUTOMATIC,
        None,
        False,
    )
    event = CertificateEvent.objects.get(certificate=certificate)
    assert event.actor is None and event.data["method"] == "automatic"


def test_the_database_refuses_an_automatic_certificate_with_an_issuer(
    access, contact, course, alice
):
    complete_lessons(contact, course)
    certificate, _ = certificate_issue(contact=contact, course=course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(issued_by=alice)


def test_issue_twice_returns_the_existing_even_for_automatic(access, contact, course, alice):
    complete_lessons(contact, course)
    manual, _ = certificate_issue(contact=contact, course=course, actor=alice)
    automatic, created = certificate_issue(contact=contact, course=course)
    assert not created and automatic == manual
    assert Certificate.objects.count() == 1
    assert NumberSequence.objects.get().last_value == 1


def test_delete_is_idempotent_and_keeps_who_when_why(access, contact, course, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    deleted = certificate_delete(certificate=certificate, actor=alice, reason=" Wrong name ")
    when = deleted.deleted_at
    again = certificate_delete(certificate=certificate, actor=None, reason="other")
    row = Certificate.objects.get(pk=certificate.pk)  # the row stays
    assert (row.deleted_at, row.deleted_by, row.delete_reason) == (when, alice, "Wrong name")
    assert again.deleted_at == when
    assert list(CertificateEvent.objects.filter(kind="deleted").values_list("reason", "actor")) == [
        ("Wrong name", alice.id)
    ]
    assert Certificate.objects.live().count() == 0


def test_after_deletion_a_new_live_certificate_is_allowed(access, contact, course, alice):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=old, actor=alice)
    new, created = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert created
    assert new.replaces == old
    assert old.replaced_by == new
    assert Certificate.objects.filter(contact=contact).count() == 2


def test_reissue_deletes_and_issues_with_todays_data(access, contact, course, alice):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    contact.name = "Olena Kovalenko"
    contact.save()
    new = certificate_reissue(certificate=old, actor=alice, reason="name spelling")
    old.refresh_from_db()
    assert old.deleted_at is not None and old.deleted_by == alice
    assert old.delete_reason == "name spelling"
    assert new.replaces == old
    assert new.number != old.number and new.code != old.code
    assert new.snapshot["participant_name"] == "Olena Kovalenko"
    assert old.snapshot["participant_name"] == "Олена Коваленко"
    assert [e.kind for e in CertificateEvent.objects.order_by("id")] == [
        "issued",
        "deleted",
        "issued",
    ]
    assert CertificateEvent.objects.order_by("id").last().data["replaces"] == old.number


def test_reissue_needs_a_staff_member(access, contact, course, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    with pytest.raises(CertificateError, match="Only a staff member"):
        certificate_reissue(certificate=certificate, actor=None)
    certificate.refresh_from_db()
    assert certificate.deleted_at is None


def test_a_refused_reissue_keeps_the_old_certificate(access, contact, course, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    access.revoked_at = timezone.now()
    access.save()
    with pytest.raises(CertificateError, match="no active access"):
        certificate_reissue(certificate=certificate, actor=alice, reason="template")
    certificate.refresh_from_db()
    assert certificate.deleted_at is None  # the deletion was rolled back with the issue
    assert Certificate.objects.count() == 1
    assert not CertificateEvent.objects.filter(kind="deleted").exists()


def test_a_reissue_inside_a_transaction_opens_one_savepoint_besides_the_insert(
    access, contact, course, alice
):
    """A bulk job reissues inside its chunk's transaction: the reissue's own savepoint covers
    its delete and issue (a refusal undoes both, above), which open none of their own; the
    insert keeps its savepoint, which catches a twin issuer's certificate."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    with CaptureQueriesContext(connection) as queries:
        certificate_reissue(certificate=certificate, actor=alice)
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 2


def test_the_snapshot_is_frozen_at_issue(access, contact, course, alice):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    before = dict(certificate.snapshot)
    assert before["participant_name"] == "Олена Коваленко"
    assert before["course_title"] == course.title
    assert before["certificate_title"] == "Certificate of Completion"
    assert before["certificate_number"] == certificate.number
    assert before["verification_url"].endswith(f"/verify/{certificate.code}/")
    assert before["template_version"] == 1

    contact.name = "Renamed Person"
    contact.save()
    course.title = "Renamed Course"
    course.save()
    course_certificate = course.certificate
    course_certificate.title = "Renamed Certificate"
    course_certificate.save()
    template = CertificateTemplate.objects.get(pk=course_certificate.template_id)
    template.html = "<h1>NEW DESIGN {{ participant_name }} {{ course_title }}</h1>"
    template_save(template=template)
    assert template.version == 2

    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.snapshot == before
    assert certificate.template_revision.version == 1
    assert TemplateRevision.objects.filter(template=template).count() == 2

    text = pdf_text(certificate_pdf(certificate=certificate))
    assert "Олена Коваленко" in text
    assert before["course_title"] in text
    for renamed in ("Renamed", "NEW DESIGN"):
        assert renamed not in text


def test_an_issued_certificate_survives_a_rename_then_reissue_uses_new_data(
    access, contact, course, alice
):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    template = CertificateTemplate.objects.get(pk=course.certificate.template_id)
    template.html = "<p>v2 {{ participant_name }} {{ certificate_number }}</p>"
    template_save(template=template)
    new = certificate_reissue(certificate=old, actor=alice)
    assert new.template_revision.version == 2
    assert new.snapshot["template_version"] == 2
    assert "v2 Олена Коваленко" in pdf_text(certificate_pdf(certificate=new))
