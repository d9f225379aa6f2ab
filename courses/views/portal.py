"""The student portal's courses: My courses, lessons, and tests with their grading.

A student reaches only courses of contacts linked to their login with active access;
anything else answers 404, exactly like something that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from certificates import selectors as certificate_selectors
from certificates.announcements import announce_certificates, await_certificate
from contacts.views.portal import name_card_context

from .. import selectors
from ..forms import TestAnswersForm
from ..services import CourseError, lesson_complete


@require_safe
@login_required
def my_courses(request):
    announce_certificates(request)
    courses = certificate_selectors.student_courses(request.user)
    context = {"courses": courses, "section": "courses"}
    return render(request, "portal/courses.html", context | name_card_context(request))


@require_safe
@login_required
def lesson(request, lesson_id):
    announce_certificates(request)
    page = _lesson_or_404(request, lesson_id)
    form = TestAnswersForm(questions=page.questions) if page.lesson.is_test else None
    return render(request, "portal/lesson.html", {"page": page, "form": form, "section": "courses"})


@login_required
@require_POST
def lesson_mark_complete(request, lesson_id):
    page = _lesson_or_404(request, lesson_id)
    await_certificate(request, contact=page.contact, course=page.course)
    try:
        lesson_complete(contact=page.contact, lesson=page.lesson)
    except CourseError as error:
        messages.error(request, str(error))
        return redirect("portal:lesson", page.lesson.public_id)
    messages.success(request, _("“%(title)s” is complete.") % {"title": page.lesson.title})
    if page.next is not None:
        return redirect("portal:lesson", page.next.public_id)
    return redirect(reverse("portal:courses") + f"#course-{page.course.public_id}")


@login_required
@require_POST
def test_submit(request, lesson_id):
    page = _lesson_or_404(request, lesson_id)
    form = TestAnswersForm(request.POST, questions=page.questions)
    if not form.is_valid():
        messages.error(request, _("Answer every question, then submit again."))
        context = {"page": page, "form": form, "section": "courses"}
        return render(request, "portal/lesson.html", context)
    await_certificate(request, contact=page.contact, course=page.course)
    score = form.score()
    try:
        progress = lesson_complete(contact=page.contact, lesson=page.lesson, score=score)
    except CourseError as error:
        messages.error(request, str(error))
    else:
        values = {"score": score, "needed": page.lesson.pass_score or 0}
        if progress.completed_at:
            messages.success(request, _("You scored %(score)d%%. Test passed.") % values)
        else:
            messages.warning(
                request,
                _("You scored %(score)d%%; %(needed)d%% is needed to pass. Try again.") % values,
            )
    return redirect("portal:lesson", page.lesson.public_id)


def _lesson_or_404(request, lesson_id) -> selectors.LessonPage:
    page = selectors.student_lesson(request.user, lesson_id)
    if page is None:
        raise Http404("No such lesson among your courses")
    return page
