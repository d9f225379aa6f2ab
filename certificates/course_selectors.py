"""Reads for the staff Courses pages and the template list, in a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from courses.models import Access, Course, Lesson

from .models import Certificate, CertificateTemplate, CourseCertificate


def _count(queryset):
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


def course_list(*, project):
    """Courses with lesson count, participants with active access, certificate and issued."""
    lessons = Lesson.objects.filter(course=OuterRef("pk")).values("course")
    accesses = Access.objects.active().filter(course=OuterRef("pk")).values("course")
    issued = (
        Certificate.objects.live()
        .filter(course_certificate__course=OuterRef("pk"))
        .values("course_certificate")
    )
    return (
        Course.objects.filter(project=project)
        .select_related("certificate", "certificate__template")
        .annotate(
            lesson_count=_count(lessons),
            participant_count=_count(accesses),
            issued_count=_count(issued),
        )
        .order_by("title", "id")
    )


def course_detail(*, course):
    """A course's lessons in order, and its certificate configuration (or None)."""
    lessons = list(course.lessons.order_by("position"))
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
    return lessons, course_certificate, issued, ever_issued


def template_list(*, project):
    """The project's templates with the courses that use them."""
    return CertificateTemplate.objects.filter(project=project).prefetch_related(
        Prefetch(
            "course_certificates",
            queryset=CourseCertificate.objects.select_related("course").order_by("course__title"),
        )
    )
