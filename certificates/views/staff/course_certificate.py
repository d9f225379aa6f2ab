"""A course's certificate settings: template, conditions, numbering; preview and removal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import project_object, staff_view
from certificates import selectors
from certificates.forms import CourseCertificateForm, bootstrap, example_number
from certificates.models import CourseCertificate
from certificates.services import (
    CertificateError,
    course_certificate_remove,
    course_certificate_save,
    custom_field_values,
    validate_number_format,
)
from courses.models import Course

from .template_editor import preview_response, sample_values


@staff_view(editor=True)
def course_certificate(request, course_id):
    course = project_object(Course.objects, request, public_id=course_id)
    current, issued, ever_issued = selectors.course_certificate_detail(course=course)
    initial = CourseCertificateForm.initial_for(current, course)
    form = CourseCertificateForm(
        request.POST or None, request.FILES or None, initial=initial, course=course
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = course_certificate_save(course=course, **form.service_arguments())
        except CertificateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Certificate settings of “%(course)s” saved.") % {"course": course}
            )
            return redirect("staff:course", request.project.slug, saved.course.public_id)
    bootstrap(form)
    return render(
        request,
        "staff/courses/certificate.html",
        {
            "section": "courses",
            "course": course,
            "form": form,
            "course_certificate": current,
            "issued_count": issued,
            "ever_issued": ever_issued,
            "has_templates": form.fields["template"].queryset.exists(),
            "custom_label_example": "{{ custom_1_label }}",
            "custom_value_example": "{{ custom_1 }}",
        },
    )


@require_GET
@staff_view(editor=True)
def course_number_example(request, course_id):
    """The number a certificate would get with the prefix and format being typed."""
    project_object(Course.objects, request, public_id=course_id)
    number_format = request.GET.get("number_format", "")[:60]
    example, errors = "", []
    try:
        validate_number_format(number_format)
        example = example_number(number_format, request.GET.get("number_prefix", "")[:20].strip())
    except ValidationError as exc:
        errors = exc.messages
    return render(
        request, "staff/courses/_number_example.html", {"example": example, "errors": errors}
    )


@require_POST
@staff_view(editor=True)
def course_certificate_preview(request, course_id):
    """The selected template, printed with this course's titles and sample participant."""
    course = project_object(Course.objects, request, public_id=course_id)
    current = CourseCertificate.objects.filter(course=course).first()
    form = CourseCertificateForm(request.POST, course=course)
    form.is_valid()
    template = form.cleaned_data.get("template")
    if template is None:
        return preview_response(request, errors=[_("Choose a template to see a preview.")])
    data = form.cleaned_data
    values = sample_values(
        request.project,
        language=template.language,
        course_title=course.title,
        certificate_title=data.get("title") or "",
        certificate_number=form.example_number() or defaults_number(),
        signer_name=data.get("signer_name") or "",
        signer_title=data.get("signer_title") or "",
        signature_image=current.signature.name if current else "",
        **custom_field_values(form.service_arguments()["custom_fields"] if data else []),
    )
    return preview_response(
        request,
        html=template.html,
        css=template.css,
        page_size=template.page_size,
        orientation=template.orientation,
        background=template.background,
        values=values,
    )


def defaults_number() -> str:
    return example_number(CourseCertificate._meta.get_field("number_format").default, "")


@require_http_methods(["GET", "POST"])
@staff_view(editor=True)
def course_certificate_remove_view(request, course_id):
    """GET asks for confirmation; POST removes the configuration (if nothing was issued)."""
    course = project_object(Course.objects, request, public_id=course_id)
    current = project_object(CourseCertificate.objects, request, course=course)
    if request.method != "POST":
        return render(
            request,
            "staff/courses/certificate_remove.html",
            {"section": "courses", "course": course, "course_certificate": current},
        )
    try:
        course_certificate_remove(course_certificate=current)
    except CertificateError as exc:
        messages.error(request, str(exc))
        return redirect("staff:course_certificate", request.project.slug, course.public_id)
    messages.success(
        request, _("The certificate of “%(course)s” was removed.") % {"course": course}
    )
    return redirect("staff:course", request.project.slug, course.public_id)
