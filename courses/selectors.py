"""Reads of courses: the staff course list, a student's courses and lessons, progress.

Lists load in a fixed number of queries, however many courses or lessons there are.
Certificates add their state to these rows (certificates.selectors); nothing here knows of them.
"""

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Access, Course, Lesson, LessonProgress, Question


def count_of(queryset):
    """COUNT(*) of a queryset grouped by its single `values()` column, as a subquery."""
    # A correlated COUNT per row: joining lessons, accesses and certificates at once would
    # multiply the rows and the counts with them.
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def course_list(*, project) -> QuerySet[Course]:
    """The project's courses with their lesson count and participants with active access."""
    lessons = Lesson.objects.filter(course=OuterRef("pk")).values("course")
    accesses = Access.objects.active().filter(course=OuterRef("pk")).values("course")
    return (
        Course.objects.filter(project=project)
        .annotate(lesson_count=count_of(lessons), participant_count=count_of(accesses))
        .order_by("title", "id")
    )


def access_of(*, project, contact_id: UUID, course_id: UUID) -> Access | None:
    """The access of the project's contact to the project's course, by their public ids, with
    the contact (and its login) and the course: one query. None without such an access."""
    return (
        Access.objects.select_related("contact__user", "course")
        .filter(
            contact__project=project,
            contact__public_id=contact_id,
            course__project=project,
            course__public_id=course_id,
        )
        .first()
    )


def course_lessons(*, course) -> list[Lesson]:
    return list(course.lessons.order_by("position"))


@dataclass
class LessonRow:
    lesson: Lesson
    completed: bool
    score: int | None


@dataclass
class StudentCourse:
    """One course of a contact: the access, its lessons with progress.

    `evaluation` and `status` are the certificate's, filled in by certificates.selectors.
    """

    access: Access
    lessons: list[LessonRow]
    progress: dict[int, LessonProgress] = field(repr=False)
    evaluation: object = None
    status: object = None

    @property
    def course(self):
        return self.access.course

    @property
    def contact(self):
        return self.access.contact

    @property
    def next_lesson(self) -> Lesson | None:
        return next((row.lesson for row in self.lessons if not row.completed), None)


def lesson_rows(lessons, progress: dict) -> list[LessonRow]:
    rows = []
    for lesson in lessons:
        p = progress.get(lesson.id)
        rows.append(LessonRow(lesson, bool(p and p.completed_at), p.score if p else None))
    return rows


def _student_courses(accesses: QuerySet[Access]) -> list[StudentCourse]:
    accesses = list(
        accesses.select_related("contact", "course")
        .prefetch_related(Prefetch("course__lessons", queryset=Lesson.objects.order_by("position")))
        .order_by("course__title", "id")
    )
    contact_ids = {access.contact_id for access in accesses}
    course_ids = {access.course_id for access in accesses}
    progress: dict[int, dict[int, LessonProgress]] = {}
    if accesses:
        for p in LessonProgress.objects.filter(
            contact_id__in=contact_ids, lesson__course_id__in=course_ids
        ):
            progress.setdefault(p.contact_id, {})[p.lesson_id] = p
    courses = []
    for access in accesses:
        contact_progress = progress.get(access.contact_id, {})
        lessons = list(access.course.lessons.all())
        courses.append(
            StudentCourse(access, lesson_rows(lessons, contact_progress), contact_progress)
        )
    return courses


def student_courses(user) -> list[StudentCourse]:
    """My courses: the courses the user has active access to, in any school."""
    return _student_courses(Access.objects.active().filter(contact__user=user))


def contact_courses(*, contact, course=None) -> list[StudentCourse]:
    """Every course the contact has (had) access to, whatever the access state.

    `course` narrows it to one course, in the same number of queries.
    """
    accesses = Access.objects.filter(contact=contact)
    if course is not None:
        accesses = accesses.filter(course=course)
    return _student_courses(accesses)


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
    lessons = course_lessons(course=access.course)
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
    return LessonPage(access, lesson, lesson_rows(lessons, progress), questions)
