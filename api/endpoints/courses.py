"""/api/v1/courses: the course list with each course's certificate settings (read-only)."""

from uuid import UUID

from django.db.models import Prefetch
from django.http import Http404
from ninja import Router

from certificates.selectors import course_list
from courses.models import Lesson

from .. import schemas
from ..http import COMMON_ERRORS, problems

router = Router(tags=["courses"])


def _courses(project):
    lessons = Lesson.objects.order_by("position").only("id", "title", "course_id")
    return course_list(project=project).prefetch_related(
        Prefetch("certificate__required_lessons", queryset=lessons)
    )


def _course(course) -> dict:
    cc = getattr(course, "certificate", None)
    settings = None
    if cc is not None:
        settings = {
            "id": cc.public_id,
            "title": cc.title,
            "template": cc.template.name,
            "number_prefix": cc.number_prefix,
            "number_format": cc.number_format,
            "auto_issue": cc.auto_issue,
            "completion": cc.completion,
            "min_percent": cc.min_percent,
            "required_lessons": [lesson.title for lesson in cc.required_lessons.all()],
            "min_test_score": cc.min_test_score,
        }
    return {
        "id": course.public_id,
        "title": course.title,
        "issued_count": course.issued_count,
        "certificate": settings,
    }


@router.get(
    "/courses",
    response={200: list[schemas.CourseOut], **problems(*COMMON_ERRORS)},
    summary="List courses",
)
def course_index(request):
    return [_course(course) for course in _courses(request.project)]


@router.get(
    "/courses/{uuid:course_id}",
    response={200: schemas.CourseOut, **problems(*COMMON_ERRORS)},
    summary="Get a course and its certificate settings",
)
def course_detail(request, course_id: UUID):
    course = _courses(request.project).filter(public_id=course_id).first()
    if course is None:
        raise Http404
    return _course(course)
