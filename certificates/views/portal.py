"""The student portal's certificates: My certificates, their PDFs and "Add to profile".

A student reaches only certificates of contacts linked to their login; anything else answers
404, exactly like something that does not exist.
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from certificates import selectors
from certificates.announcements import announce_certificates
from certificates.models import Certificate
from certificates.services import CertificatePdfNotReady, RenderError, certificate_pdf_open
from certificates.views.pdf_response import pdf_file_response
from certificates.views.pdf_unavailable import pdf_unavailable
from certificates.views.preparing import pdf_being_prepared
from contacts.views.portal import name_card_context

# My certificates --------------------------------------------------------------------------


@dataclass
class CertificateCard:
    certificate: Certificate
    verification_url: str
    linkedin_url: str


@require_safe
@login_required
def my_certificates(request):
    announce_certificates(request)
    cards = [
        CertificateCard(c, c.snapshot.get("verification_url", ""), linkedin_add_url(c))
        for c in selectors.student_certificates(request.user)
    ]
    context = {
        "cards": cards,
        "pending": selectors.student_pending(request.user),
        "section": "certificates",
    }
    return render(request, "portal/certificates.html", context | name_card_context(request))


@require_safe
@login_required
def download(request, public_id):
    return _pdf_response(request, public_id, as_attachment=True)


@require_safe
@login_required
def view(request, public_id):
    return _pdf_response(request, public_id, as_attachment=False)


def _pdf_response(request, public_id, *, as_attachment: bool) -> HttpResponse:
    certificate = selectors.student_certificate(request.user, public_id)
    if certificate is None:
        raise Http404("No such certificate among yours")
    try:
        handle = certificate_pdf_open(certificate=certificate)
    except CertificatePdfNotReady:
        return pdf_being_prepared(request)
    except RenderError as exc:
        return pdf_unavailable(request, "portal/certificate_unavailable.html", exc, certificate)
    response = pdf_file_response(
        handle, filename=f"{certificate.number}.pdf", as_attachment=as_attachment
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
