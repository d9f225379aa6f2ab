"""The public verification page: what the QR code and the URL printed on a PDF open."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certificates.models import Certificate
from certificates.services import verification_url
from lms.client_ip import client_ip
from lms.ratelimit import RateLimit

# A wrong guess costs this many lookups, so guessing runs out long before honest use does.
# Every lookup is charged this much up front, in one atomic step, and a code that exists gets
# the difference back: charging after the lookup would let a burst of parallel guesses all
# pass the check before any of them paid.
UNKNOWN_CODE_COST = 5


def _rate_limit() -> RateLimit:
    return RateLimit("verify", limit=settings.VERIFY_RATE_LIMIT_PER_MINUTE)


def normalise_code(code: str) -> str:
    # Codes are uppercase base32; people retype them in any case, with spaces or dashes.
    return code.upper().replace("-", "").replace(" ", "")


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def public_data(certificate: Certificate) -> dict:
    """What anyone holding the code may see: no email, phone or other personal data.

    `status` is Certificate.state: valid, withdrawn, or replaced (with the replacement).
    """
    snapshot = certificate.snapshot
    state = certificate.state
    data = {
        "status": state.value,
        "number": certificate.number,
        "certificate_title": snapshot.get("certificate_title", ""),
        "course_title": snapshot.get("course_title", ""),
        "school": snapshot.get("school_name", ""),
        "issued_on": snapshot.get("issued_on", ""),
        "verification_url": verification_url(certificate.code),
    }
    if state == Certificate.State.VALID:
        data["participant_name"] = snapshot.get("participant_name", "")
        return data
    data["withdrawn_on"] = timezone.localdate(certificate.deleted_at).isoformat()
    if state == Certificate.State.REPLACED:
        replacement = certificate.replaced_by
        data["replaced_by"] = {
            "number": replacement.number,
            "verification_url": verification_url(replacement.code),
        }
    return data


def _too_many(wants_json: bool, retry_after: int) -> HttpResponse:
    message = _("Too many lookups. Try again in %(seconds)d seconds.") % {"seconds": retry_after}
    if wants_json:
        response = JsonResponse({"status": "rate_limited", "detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


@require_safe
def verify(request, code):
    wants_json = _wants_json(request)
    hit = _rate_limit().hit(client_ip(request) or "unknown", cost=UNKNOWN_CODE_COST)
    if not hit.allowed:
        return _too_many(wants_json, hit.retry_after)

    certificate = (
        Certificate.objects.select_related("replaced_by").filter(code=normalise_code(code)).first()
    )
    if certificate is None:
        if wants_json:
            return JsonResponse({"status": "unknown"}, status=404)
        raise Http404("Unknown certificate code")
    hit.refund(UNKNOWN_CODE_COST - 1)

    data = public_data(certificate)
    if wants_json:
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(
            request,
            "public/verify.html",
            {"data": data, "certificate": certificate},
        )
    response["X-Robots-Tag"] = "noindex"
    patch_vary_headers(response, ["Accept"])
    return response
