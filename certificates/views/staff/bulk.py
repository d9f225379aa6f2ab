"""Bulk jobs on a course's certificates: confirm what will happen, start, watch the progress."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import project_object, staff_view
from certificates.bulk import bulk_job_start, bulk_preview
from certificates.models import BulkJob, CourseCertificate
from certificates.services import CertificateError


@require_http_methods(["GET", "POST"])
@staff_view(editor=True)
def job_start(request, course_id, kind):
    """GET shows how many, who and whether students are emailed; a confirmed POST starts it."""
    course_certificate = project_object(
        CourseCertificate.objects.select_related("template", "course"),
        request,
        course__public_id=course_id,
    )
    if kind not in BulkJob.Kind.values:
        raise Http404("No such bulk job")
    try:
        preview = bulk_preview(course_certificate=course_certificate, kind=kind)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            notify = request.POST.get("notify") == "on"
            job = bulk_job_start(
                course_certificate=course_certificate, kind=kind, actor=request.user, notify=notify
            )
            return redirect("staff:bulk_job", request.project.slug, job.public_id)
    except CertificateError as error:
        messages.error(request, str(error))
        return redirect("staff:course", request.project.slug, course_id)
    context = {"section": "courses", "course_certificate": course_certificate, "preview": preview}
    return render(request, "staff/bulk/confirm.html", context)


@require_safe
@staff_view
def job_detail(request, job_id):
    job = project_object(
        BulkJob.objects.select_related("course_certificate__course", "created_by"),
        request,
        public_id=job_id,
    )
    template = "staff/bulk/_progress.html" if request.htmx else "staff/bulk/job.html"
    return render(request, template, {"section": "courses", "job": job})
