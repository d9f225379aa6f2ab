"""Reads: evaluation, certificate status and the lists built from them.

Lists load in a fixed number of queries whatever their length.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Prefetch

from contacts.models import Contact
from courses.models import Access, Lesson, LessonProgress

from . import conditions
from .models import Certificate, CertificateEvent, CourseCertificate


class State(StrEnum):
    NOT_CONFIGURED = "not_configured"
    NO_ACCESS = "no_access"
    PENDING = "pending"  # "pending, course not completed"
    EARNED = "earned"  # conditions met, not issued (automatic issuance off, or withdrawn)
    ISSUED = "issued"


@dataclass
class CertificateStatus:
    state: State
    course_certificate: CourseCertificate | None = None
    certificate: Certificate | None = None
    evaluation: conditions.Evaluation | None = None

    @property
    def can_issue(self) -> bool:
        return self.state in (State.PENDING, State.EARNED)


@dataclass
class Product:
    """One line of the contact card's Products tab: a course access and its certificate."""

    access: Access
    status: CertificateStatus
    evaluation: conditions.Evaluation
    history: list[Certificate] = field(default_factory=list)

    @property
    def course(self):
        return self.access.course

    @property
    def access_status(self) -> Access.Status:
        return self.access.status()

    @property
    def earlier(self) -> list[Certificate]:
        """Deleted certificates of this course, newest first (the reissue trail)."""
        return [c for c in self.history if c.deleted_at is not None]


# A course without a certificate still shows progress: every lesson counts, nothing else.
NO_CERTIFICATE_RULES = conditions.Rules("all", 100, frozenset(), None)


def evaluate_loaded(course_certificate, lessons, progress) -> conditions.Evaluation:
    """Evaluate from rows already loaded: `lessons` in order, `progress` by lesson id.

    `course_certificate.required_lessons` is read with .all(), so lists prefetch it.
    """
    rules = (
        conditions.rules_of(
            course_certificate, [lesson.id for lesson in course_certificate.required_lessons.all()]
        )
        if course_certificate
        else NO_CERTIFICATE_RULES
    )
    return conditions.evaluate(rules, conditions.lesson_states(lessons, progress))


def evaluate_contact(*, contact: Contact, course_certificate: CourseCertificate):
    lessons = Lesson.objects.filter(course_id=course_certificate.course_id).order_by("position")
    progress = {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(
            contact=contact, lesson__course_id=course_certificate.course_id
        )
    }
    return evaluate_loaded(course_certificate, lessons, progress)


def status_of(access, course_certificate, evaluation, live) -> CertificateStatus:
    if course_certificate is None:
        return CertificateStatus(State.NOT_CONFIGURED, evaluation=evaluation)
    if live is not None:
        return CertificateStatus(State.ISSUED, course_certificate, live, evaluation)
    if access is None or not access.is_active():
        return CertificateStatus(State.NO_ACCESS, course_certificate, evaluation=evaluation)
    if evaluation.met:
        # Met but not issued: automatic issuance is off, staff withdrew the certificate, or
        # the after-commit issuance is still on its way.
        return CertificateStatus(State.EARNED, course_certificate, evaluation=evaluation)
    return CertificateStatus(State.PENDING, course_certificate, evaluation=evaluation)


def contact_products(*, contact: Contact, course=None) -> list[Product]:
    """The contact card's Products tab: every course the contact has (had) access to.

    `course` narrows it to one line (the row redrawn after Issue now or ×), in the same
    number of queries.
    """
    accesses = Access.objects.filter(contact=contact)
    if course is not None:
        accesses = accesses.filter(course=course)
    accesses = list(
        accesses.select_related("course", "course__certificate", "course__certificate__template")
        .prefetch_related(
            Prefetch("course__lessons", queryset=Lesson.objects.order_by("position")),
            Prefetch("course__certificate__required_lessons", queryset=Lesson.objects.only("id")),
        )
        .order_by("course__title", "id")
    )
    progress_rows = LessonProgress.objects.filter(contact=contact)
    certificate_rows = Certificate.objects.filter(contact=contact)
    if course is not None:
        progress_rows = progress_rows.filter(lesson__course=course)
        certificate_rows = certificate_rows.filter(course_certificate__course=course)
    progress = {p.lesson_id: p for p in progress_rows}
    certificates = defaultdict(list)
    for cert in certificate_rows.select_related(
        "issued_by", "deleted_by", "replaces", "course_certificate"
    ).order_by("-issued_at", "-id"):
        certificates[cert.course_certificate.course_id].append(cert)

    products = []
    for access in accesses:
        course = access.course
        course_certificate = getattr(course, "certificate", None)
        history = certificates.get(course.id, [])
        live = next((c for c in history if c.deleted_at is None), None)
        evaluation = evaluate_loaded(course_certificate, course.lessons.all(), progress)
        products.append(
            Product(
                access=access,
                status=status_of(access, course_certificate, evaluation, live),
                evaluation=evaluation,
                history=history,
            )
        )
    return products


def contact_history(*, contact: Contact) -> list[CertificateEvent]:
    """The contact card's History tab: issued and deleted events, newest first.

    Each event carries `replaced_by_number` / `replaces_number` for the reissue trail.
    """
    events = list(
        CertificateEvent.objects.filter(contact=contact).select_related(
            "actor",
            "certificate__course_certificate__course",
            "certificate__replaces",
            "certificate__replaced_by",
        )
    )
    for event in events:
        certificate = event.certificate
        replaced_by = getattr(certificate, "replaced_by", None)
        event.replaces_number = certificate.replaces.number if certificate.replaces else None
        event.replaced_by_number = replaced_by.number if replaced_by else None
    return events


def certificate_status(*, contact: Contact, course) -> CertificateStatus:
    products = contact_products(contact=contact, course=course)
    if products:
        return products[0].status
    course_certificate = CourseCertificate.objects.filter(course=course).first()
    if course_certificate is None:
        return CertificateStatus(State.NOT_CONFIGURED)
    return CertificateStatus(State.NO_ACCESS, course_certificate)
