from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from certificates.models import Certificate
from certificates.services import certificate_pdf


@login_required
def my_certificates(request):
    certificates = (
        Certificate.objects.live()
        .filter(contact__user=request.user)
        .select_related("course_certificate", "course_certificate__course", "project")
    )
    return render(request, "portal/certificates.html", {"certificates": certificates})


@login_required
def download(request, public_id):
    certificate = get_object_or_404(
        Certificate.objects.live().select_related("template_revision"),
        public_id=public_id,
        contact__user=request.user,
    )
    response = HttpResponse(
        certificate_pdf(certificate=certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response
