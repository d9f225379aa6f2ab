"""The student portal: My courses, lessons and tests, My certificates and their PDFs.

A student reaches only what belongs to contacts linked to their login; anything else answers
404, exactly like something that does not exist.
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates import portal_selectors as selectors
from certificates.models import Certificate
from certificates.portal_forms import TestAnswersForm
from certificates.services import certificate_pdf
from contacts.models import Contact
from contacts.services import ContactError, contact_confirm_print_name
from courses.services import CourseError, lesson_complete

# Session keys: certificates the student may have just earned, and "ask me later".
AWAITING = "portal_awaiting_certificates"
NAME_DISMISSED = "portal_name_card_dismissed"


# My courses and lessons ------------------------------------------------------------------


@login_required
def my_courses(request):
    _announce_certificates(request)
    context = {"courses": selectors.student_courses(request.user), "section": "courses"}
    return render(request, "portal/courses.html", context | _name_context(request))


@login_required
def lesson(request, lesson_id):
    _announce_certificates(request)
    page = _lesson_or_404(request, lesson_id)
    form = TestAnswersForm(questions=page.questions) if page.lesson.is_test else None
    return render(request, "portal/lesson.html", {"page": page, "form": form, "section": "courses"})


@login_required
@require_POST
def lesson_mark_complete(request, lesson_id):
    page = _lesson_or_404(request, lesson_id)
    _await_certificate(request, page)
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
    _await_certificate(request, page)
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


def _await_certificate(request, page: selectors.LessonPage) -> None:
    """Remember a course whose certificate this lesson may complete, to announce it later.

    Issuance runs after commit (in a worker when there is a broker), so the announcement is
    made by the next portal page that finds the certificate issued.
    """
    course_certificate = getattr(page.course, "certificate", None)
    if course_certificate is None:
        return
    if (
        Certificate.objects.live()
        .filter(contact=page.contact, course_certificate=course_certificate)
        .exists()
    ):
        return
    awaiting = set(request.session.get(AWAITING, []))
    if course_certificate.pk not in awaiting:
        request.session[AWAITING] = sorted(awaiting | {course_certificate.pk})


def _announce_certificates(request) -> None:
    awaiting = request.session.get(AWAITING)
    if not awaiting:
        return
    issued = list(
        Certificate.objects.live().filter(
            contact__user=request.user, course_certificate_id__in=awaiting
        )
    )
    link = format_html(
        '<a class="alert-link" href="{}">{}</a>',
        reverse("portal:certificates"),
        _("My certificates"),
    )
    for certificate in issued:
        messages.success(
            request,
            format_html(
                _("Your certificate “{title}” ({number}) has been issued. Find it in {link}."),
                title=certificate.snapshot.get("certificate_title", ""),
                number=certificate.number,
                link=link,
            ),
        )
    request.session[AWAITING] = sorted(set(awaiting) - {c.course_certificate_id for c in issued})


# My certificates --------------------------------------------------------------------------


@dataclass
class CertificateCard:
    certificate: Certificate
    verification_url: str
    linkedin_url: str


@login_required
def my_certificates(request):
    _announce_certificates(request)
    cards = [
        CertificateCard(c, c.snapshot.get("verification_url", ""), linkedin_add_url(c))
        for c in selectors.student_certificates(request.user)
    ]
    context = {
        "cards": cards,
        "pending": selectors.student_pending(request.user),
        "section": "certificates",
    }
    return render(request, "portal/certificates.html", context | _name_context(request))


@login_required
def download(request, public_id):
    return _pdf_response(request, public_id, as_attachment=True)


@login_required
def view(request, public_id):
    return _pdf_response(request, public_id, as_attachment=False)


def _pdf_response(request, public_id, *, as_attachment: bool) -> HttpResponse:
    certificate = selectors.student_certificate(request.user, public_id)
    if certificate is None:
        raise Http404("No such certificate among yours")
    response = HttpResponse(
        certificate_pdf(certificate=certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, f"{certificate.number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def linkedin_add_url(certificate: Certificate) -> str:
    """LinkedIn's "Add to profile" form for a certification, filled in from the snapshot."""
    snapshot = certificate.snapshot
    title = snapshot.get("certificate_title", "")
    course = snapshot.get("course_title", "")
    issued = (
        date.fromisoformat(snapshot["issued_on"])
        if snapshot.get("issued_on")
        else timezone.localdate(certificate.issued_at)
    )
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": title if not course or course in title else f"{title}: {course}",
        "organizationName": snapshot.get("school_name", ""),
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": snapshot.get("verification_url", ""),
        "certId": certificate.number,
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(params, quote_via=quote)


# The name printed on certificates ---------------------------------------------------------


def _name_context(request) -> dict:
    contacts = selectors.student_contacts(request.user)
    editing = request.GET.get("name") == "edit"
    unconfirmed = [c for c in contacts if c.print_name_confirmed_at is None]
    if editing and contacts:
        card = unconfirmed[0] if unconfirmed else contacts[0]
    elif unconfirmed and not request.session.get(NAME_DISMISSED):
        card = unconfirmed[0]
    else:
        card = None
    return {"name_card": card, "student_contacts": contacts}


@login_required
@require_POST
def confirm_name(request, contact_id):
    contact = get_object_or_404(Contact, public_id=contact_id, user=request.user)
    try:
        contact_confirm_print_name(contact=contact, print_name=request.POST.get("print_name", ""))
    except ContactError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Thank you. Your certificates will read “%(name)s”.") % {"name": contact.print_name},
        )
    return redirect(_back(request))


@login_required
@require_POST
def dismiss_name(request):
    request.session[NAME_DISMISSED] = True
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:certificates")
