from django.shortcuts import get_object_or_404, render

from certificates.models import Certificate


def verify(request, code):
    certificate = get_object_or_404(
        Certificate.objects.select_related("project", "replaced_by"), code=code.upper()
    )
    return render(request, "public/verify.html", {"certificate": certificate})
