"""Reads for the student portal: a user's courses, lessons, certificates and pending ones.

A user reaches data only through contacts linked to them (one per school). Lists load in a
fixed number of queries, however many courses or certificates there are.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Prefetch

from contacts.models import Contact
from courses.models import Access, Lesson, LessonProgress, Question

from . import conditions
from .models import Certificate
from .selectors import CertificateStatus, State, evaluate_loaded, status_of


@dataclass
class LessonRow:
    lesson: Lesson
    completed: bool
    score: int | None


@dataclass
class StudentCourse:
    """One course on My courses, or one pending card on My certificates."""

    access: Access
    lessons: list[LessonRow]
    evaluation: conditions.Evaluation
    status: CertificateStatus

    @property
    def course(self):
        return self.access.course

    @property
    def contact(self):
        return self.access.contact

    @property
    def next_lesson(self) -> Lesson | None:
        return next((row.lesson for row in self.lessons if not row.completed), None)


@dataclass
class LessonPage:
    access: Access
    lesson: Lesson
    lessons: list[LessonRow]
    questions: list[Question]

    @property
    def course(self):
        return self.access.course

    @property
    def contact(self):
        return self.access.contact

    @property
    def row(self) -> LessonRow:
        return next(row for row in self.lessons if row.lesson.pk == self.lesson.pk)

    def _neighbour(self, step: int) -> Lesson | None:
        index = next(i for i, row in enumerate(self.lessons) if row.lesson.pk == self.lesson.pk)
        if 0 <= index + step < len(self.lessons):
            return self.lessons[index + step].lesson
        return None

    @property
    def previous(self) -> Lesson | None:
        return self._neighbour(-1)

    @property
    def next(self) -> Lesson | None:
        return self._neighbour(+1)


def _rows(lessons, progress: dict) -> list[LessonRow]:
    rows = []
    for lesson in lessons:
        p = progress.get(lesson.id)
        rows.append(LessonRow(lesson, bool(p and p.completed_at), p.score if p else None))
    return rows


def student_courses(user) -> list[StudentCourse]:
    """Courses the user has active access to, with progress and certificate status."""
    accesses = list(
        Access.objects.active()
        .filter(contact__user=user)
        .select_related("contact", "course", "course__certificate")
        .prefetch_related(
            Prefetch("course__lessons", queryset=Lesson.objects.order_by("position")),
            Prefetch("course__certificate__required_lessons", queryset=Lesson.objects.only("id")),
        )
        .order_by("course__title", "id")
    )
    if not accesses:
        return []
    contact_ids = {access.contact_id for access in accesses}
    progress: dict[int, dict[int, LessonProgress]] = {}
    for p in LessonProgress.objects.filter(contact_id__in=contact_ids):
        progress.setdefault(p.contact_id, {})[p.lesson_id] = p
    live = {
        (c.contact_id, c.course_certificate_id): c
        for c in Certificate.objects.live().filter(contact_id__in=contact_ids)
    }

    courses = []
    for access in accesses:
        course_certificate = getattr(access.course, "certificate", None)
        lessons = list(access.course.lessons.all())
        contact_progress = progress.get(access.contact_id, {})
        certificate = (
            live.get((access.contact_id, course_certificate.id)) if course_certificate else None
        )
        evaluation = evaluate_loaded(course_certificate, lessons, contact_progress)
        courses.append(
            StudentCourse(
                access=access,
                lessons=_rows(lessons, contact_progress),
                evaluation=evaluation,
                status=status_of(access, course_certificate, evaluation, certificate),
            )
        )
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
    return (
        Certificate.objects.live()
        .filter(contact__user=user, public_id=public_id)
        .select_related("template_revision")
        .first()
    )


def student_lesson(user, lesson_public_id: UUID) -> LessonPage | None:
    """A lesson of a course the user has active access to, with its neighbours and progress."""
    access = (
        Access.objects.active()
        .filter(contact__user=user, course__lessons__public_id=lesson_public_id)
        .select_related("contact", "course")
        .first()
    )
    if access is None:
        return None
    lessons = list(access.course.lessons.order_by("position"))
    progress = {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(contact=access.contact, lesson__course=access.course)
    }
    lesson = next(lesson for lesson in lessons if lesson.public_id == lesson_public_id)
    questions = (
        list(Question.objects.filter(lesson=lesson).prefetch_related("choices"))
        if lesson.is_test
        else []
    )
    return LessonPage(access, lesson, _rows(lessons, progress), questions)


def student_contacts(user) -> list[Contact]:
    """The user's contacts, one per school, for the name printed on certificates."""
    return list(Contact.objects.filter(user=user).select_related("project").order_by("id"))
