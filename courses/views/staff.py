"""Staff Courses: the course list and a course's page (lessons, certificate, bulk actions)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import EDITOR_ROLES, project_object, staff_view
from certificates import selectors as certificate_selectors
from certificates.bulk import bulk_summary

from ..models import Course
from ..selectors import course_lessons


@require_safe
@staff_view
def course_list(request):
    courses = certificate_selectors.course_list(project=request.project)
    return render(request, "staff/courses/list.html", {"section": "courses", "courses": courses})


@require_safe
@staff_view
def course_detail(request, course_id):
    course = project_object(Course.objects, request, public_id=course_id)
    course_certificate, issued, _ever = certificate_selectors.course_certificate_detail(
        course=course
    )
    can_edit = request.membership.role in EDITOR_ROLES
    return render(
        request,
        "staff/courses/detail.html",
        {
            "section": "courses",
            "course": course,
            "lessons": course_lessons(course=course),
            "course_certificate": course_certificate,
            "issued_count": issued,
            "can_edit": can_edit,
            "bulk": bulk_summary(course_certificate) if course_certificate and can_edit else None,
        },
    )
