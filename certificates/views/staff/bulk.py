"""Bulk jobs on a course's certificates: start one, watch its progress bar."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.access import project_object, staff_view
from certificates.bulk import bulk_job_start
from certificates.models import BulkJob, CourseCertificate
from certificates.services import CertificateError


@require_POST
@staff_view(editor=True)
def job_start(request, course_id, kind):
    course_certificate = project_object(
        CourseCertificate.objects.select_related("template", "course"),
        request,
        course__public_id=course_id,
    )
    if kind not in BulkJob.Kind.values:
        return redirect("staff:course", request.project.slug, course_id)
    try:
        job = bulk_job_start(course_certificate=course_certificate, kind=kind, actor=request.user)
    except CertificateError as error:
        messages.error(request, str(error))
        return redirect("staff:course", request.project.slug, course_id)
    return redirect("staff:bulk_job", request.project.slug, job.public_id)


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
