"""Reads: evaluation, certificate status and the lists built from them.

Courses' selectors load accesses, lessons and progress; these add each course's certificate
state. Lists load in a fixed number of queries whatever their length.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from uuid import UUID

from django.db.models import Exists, FilteredRelation, OuterRef, Prefetch, Q

from contacts.models import Contact
from courses import selectors as course_selectors
from courses.models import Access, Lesson
from courses.selectors import StudentCourse

from . import conditions
from .models import Certificate, CertificateEvent, CertificateTemplate, CourseCertificate


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
    def name_changed(self) -> bool:
        """The live certificate prints another name than the contact's name to print now."""
        return self.status.certificate is not None and self.status.certificate.name_changed

    @property
    def earlier(self) -> list[Certificate]:
        """Deleted certificates of this course, newest first (the reissue trail)."""
        return [c for c in self.history if c.deleted_at is not None]


# A course without a certificate still shows progress: every lesson counts, nothing else.
NO_CERTIFICATE_RULES = conditions.Rules("all", 100, frozenset(), None)


def evaluate_loaded(
    course_certificate, lessons, progress, required_lesson_ids=None
) -> conditions.Evaluation:
    """Evaluate from rows already loaded: `lessons` in order, `progress` by lesson id.

    The required lessons are `required_lesson_ids` when the caller loaded them with the
    lessons (contact_progress), else `course_certificate.required_lessons.all()`, which
    lists prefetch.
    """
    if course_certificate is None:
        rules = NO_CERTIFICATE_RULES
    else:
        if required_lesson_ids is None:
            required = course_certificate.required_lessons.all()
            required_lesson_ids = [lesson.id for lesson in required]
        rules = conditions.rules_of(course_certificate, required_lesson_ids)
    return conditions.evaluate(rules, conditions.lesson_states(lessons, progress))


@dataclass(frozen=True)
class ContactProgress:
    """A contact's lessons of one course, in order, their progress by lesson id and the ids
    of the lessons the certificate requires: read once (one query) for both the conditions
    and what the certificate prints."""

    lessons: list
    progress: dict
    required_lesson_ids: frozenset


def contact_progress(*, contact: Contact, course_certificate: CourseCertificate) -> ContactProgress:
    # One query: each lesson joined to the contact's progress row on it (at most one: a
    # unique constraint) and whether the certificate requires it.
    required = CourseCertificate.required_lessons.through.objects.filter(
        coursecertificate_id=course_certificate.pk, lesson_id=OuterRef("pk")
    )
    lessons = list(
        Lesson.objects.filter(course_id=course_certificate.course_id)
        .annotate(
            contact_progress=FilteredRelation("progress", condition=Q(progress__contact=contact)),
            required=Exists(required),
        )
        .select_related("contact_progress")
        .order_by("position")
    )
    # Django sets the joined row's attribute only when there is a row.
    progress = {
        lesson.id: lesson.contact_progress
        for lesson in lessons
        if getattr(lesson, "contact_progress", None) is not None
    }
    required_ids = frozenset(lesson.id for lesson in lessons if lesson.required)
    return ContactProgress(lessons, progress, required_ids)


def evaluate_contact(
    *, contact: Contact, course_certificate: CourseCertificate, loaded: ContactProgress = None
):
    loaded = loaded or contact_progress(contact=contact, course_certificate=course_certificate)
    return evaluate_loaded(
        course_certificate, loaded.lessons, loaded.progress, loaded.required_lesson_ids
    )


@dataclass(frozen=True)
class CompletionFacts:
    """What a certificate prints about the contact's progress besides the conditions."""

    completed_at: object  # datetime of the last lesson completed, or None
    final_test_score: int | None  # the score of the course's last test lesson, or None


def completion_facts(loaded: ContactProgress) -> CompletionFacts:
    """The last completion among the course's lessons and the last test's score."""
    done = [p.completed_at for p in loaded.progress.values() if p.completed_at is not None]
    tests = [lesson for lesson in loaded.lessons if lesson.is_test]
    score = None
    if tests:
        # One row per contact and lesson: the stored score is the best the contact made.
        last_test = max(tests, key=lambda lesson: lesson.position)
        row = loaded.progress.get(last_test.id)
        score = row.score if row is not None else None
    return CompletionFacts(completed_at=max(done) if done else None, final_test_score=score)


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


def _with_certificates(courses: list[StudentCourse], *, live_only: bool) -> dict:
    """Evaluate each course against its certificate's conditions and set its status.

    Returns the contacts' certificates by (contact id, course id), newest first, for callers
    that show more than the live one.
    """
    course_certificates = {
        cc.course_id: cc
        for cc in CourseCertificate.objects.filter(
            course_id__in={c.access.course_id for c in courses}
        )
        .select_related("template")
        .prefetch_related(
            Prefetch("required_lessons", queryset=Lesson.objects.only("id")),
        )
    }
    certificates = Certificate.objects.filter(
        contact_id__in={c.access.contact_id for c in courses},
        course_certificate__in=course_certificates.values(),
    )
    if live_only:
        certificates = certificates.live()
    by_course = defaultdict(list)
    for certificate in certificates.select_related(
        "issued_by", "deleted_by", "replaces", "course_certificate", "project"
    ).order_by("-issued_at", "-id"):
        key = (certificate.contact_id, certificate.course_certificate.course_id)
        by_course[key].append(certificate)
    for course in courses:
        course_certificate = course_certificates.get(course.access.course_id)
        history = by_course.get((course.access.contact_id, course.access.course_id), [])
        for certificate in history:
            certificate.contact = course.access.contact  # loaded once, shared without a query
        live = next((c for c in history if c.deleted_at is None), None)
        lessons = [row.lesson for row in course.lessons]
        course.evaluation = evaluate_loaded(course_certificate, lessons, course.progress)
        course.status = status_of(course.access, course_certificate, course.evaluation, live)
    return by_course


def contact_products(*, contact: Contact, course=None) -> list[Product]:
    """The contact card's Products tab: every course the contact has (had) access to.

    `course` narrows it to one line (the row redrawn after Issue now or ×), in the same
    number of queries.
    """
    courses = course_selectors.contact_courses(contact=contact, course=course)
    history = _with_certificates(courses, live_only=False)
    return [
        Product(
            access=c.access,
            status=c.status,
            evaluation=c.evaluation,
            history=history.get((c.access.contact_id, c.access.course_id), []),
        )
        for c in courses
    ]


def student_courses(user) -> list[StudentCourse]:
    """My courses: courses with active access, their progress and certificate status."""
    courses = course_selectors.student_courses(user)
    _with_certificates(courses, live_only=True)
    return courses


def student_pending(user) -> list[StudentCourse]:
    """Certificates not earned (or not issued) yet, for courses the user still has access to."""
    return [
        course
        for course in student_courses(user)
        if course.status.state in (State.PENDING, State.EARNED)
    ]


def student_certificates(user) -> list[Certificate]:
    """Every live certificate of the user, across schools; access may have ended since."""
    return list(
        Certificate.objects.live()
        .filter(contact__user=user)
        .select_related("course_certificate", "project")
        .order_by("-issued_at", "-id")
    )


def student_certificate(user, public_id: UUID) -> Certificate | None:
    """One of the user's live certificates; None for anyone else's, or a deleted one."""
    return Certificate.objects.live().filter(contact__user=user, public_id=public_id).first()


def course_list(*, project):
    """The staff course list: courses with their certificate and how many are issued."""
    issued = (
        Certificate.objects.live()
        .filter(course_certificate__course=OuterRef("pk"))
        .values("course_certificate")
    )
    return (
        course_selectors.course_list(project=project)
        .select_related("certificate", "certificate__template")
        .annotate(issued_count=course_selectors.count_of(issued))
    )


def course_certificate_detail(*, course):
    """A course's certificate configuration (or None), live count and whether any was issued."""
    course_certificate = (
        CourseCertificate.objects.filter(course=course)
        .select_related("template")
        .prefetch_related(
            Prefetch("required_lessons", queryset=Lesson.objects.order_by("position"))
        )
        .first()
    )
    issued = 0
    ever_issued = False
    if course_certificate is not None:
        issued = Certificate.objects.live().filter(course_certificate=course_certificate).count()
        ever_issued = Certificate.objects.filter(course_certificate=course_certificate).exists()
    return course_certificate, issued, ever_issued


def template_list(*, project):
    """The project's templates with the courses that use them."""
    return CertificateTemplate.objects.filter(project=project).prefetch_related(
        Prefetch(
            "course_certificates",
            queryset=CourseCertificate.objects.select_related("course").order_by("course__title"),
        )
    )


def contact_history(*, contact: Contact) -> list[CertificateEvent]:
    """The contact card's History tab: issued, deleted and extended events, newest first.

    Each event carries `replaced_by_number` / `replaces_number` for the reissue trail, and an
    extension its `expiry_before` / `expiry_after` dates.
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
        if event.kind == CertificateEvent.Kind.EXTENDED:
            event.expiry_before = date.fromisoformat(event.data["before"])
            event.expiry_after = date.fromisoformat(event.data["after"])
    return events


def certificate_status(*, contact: Contact, course) -> CertificateStatus:
    products = contact_products(contact=contact, course=course)
    if products:
        return products[0].status
    course_certificate = CourseCertificate.objects.filter(course=course).first()
    if course_certificate is None:
        return CertificateStatus(State.NOT_CONFIGURED)
    return CertificateStatus(State.NO_ACCESS, course_certificate)
