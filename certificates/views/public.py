"""The public verification pages: what the QR code opens, the code form, the file check, the
Open Badge credentials and status lists, and the published signing keys."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Project
from certificates import credentials, file_check, signing, verification
from certificates.models import Certificate, SigningKey
from certificates.public_forms import CodeForm, FileForm
from lms.client_ip import client_ip
from lms.ratelimit import RateLimit

# A wrong guess costs this many lookups, so guessing runs out long before honest use does.
# Every lookup is charged this much up front, in one atomic step, and a code that exists gets
# the difference back: charging after the lookup would let a burst of parallel guesses all
# pass the check before any of them paid.
UNKNOWN_CODE_COST = 5
# Checking a file reads and verifies a signature: it costs more than a lookup.
FILE_CHECK_COST = 3


def _rate_limit() -> RateLimit:
    return RateLimit("verify", limit=settings.VERIFY_RATE_LIMIT_PER_MINUTE)


def _hit(request, cost: int):
    return _rate_limit().hit(client_ip(request) or "unknown", cost=cost)


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _too_many(wants_json: bool, retry_after: int) -> HttpResponse:
    message = _("Too many lookups. Try again in %(seconds)d seconds.") % {"seconds": retry_after}
    if wants_json:
        response = JsonResponse({"status": "rate_limited", "detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    patch_vary_headers(response, ["Accept"])
    return response


def _home(request, *, code_form=None, file_form=None, check=None, status=200, unknown=""):
    found = check.certificate if check else None
    context = {
        "code_form": code_form or CodeForm(),
        "file_form": file_form or FileForm(),
        "check": check,
        "data": verification.public_data(found) if found else {},
        "unknown_code": unknown,
    }
    return _public(render(request, "public/verify_home.html", context, status=status))


def _lookup(request, code: str, *, wants_json: bool = False):
    """The certificate of a code, charged to the client's rate limit; or a 429 response."""
    hit = _hit(request, UNKNOWN_CODE_COST)
    if not hit.allowed:
        return None, _too_many(wants_json, hit.retry_after)
    certificate = verification.certificate_by_code(code)
    if certificate is not None:
        hit.refund(UNKNOWN_CODE_COST - 1)
    return certificate, None


@require_safe
def verify_home(request):
    """The code form; `?code=` (the form's own submission) opens that code's page."""
    form = CodeForm(request.GET) if "code" in request.GET else None
    if form is not None and form.is_valid():
        code = verification.normalise_code(form.cleaned_data["code"])
        if not verification.could_be_code(code):
            # "a/b", or only dashes: no code has that shape; answered as an unknown one.
            return _home(request, code_form=form, status=404, unknown=form.cleaned_data["code"])
        return redirect("public:verify", code)
    return _home(request, code_form=form)


# The size check must run before anything parses the body, and CSRF middleware parses it, so
# CSRF is checked inside, after the size (csrf_exempt outside, csrf_protect inside).
@csrf_exempt
@require_http_methods(["POST"])
def verify_file(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.VERIFY_UPLOAD_MAX_BYTES + 65536:
        form = FileForm()
        form.errors["file"] = form.error_class([_("The file is too large to be a certificate.")])
        return _home(request, file_form=form, status=413)
    return _verify_file_checked(request)


@csrf_protect
def _verify_file_checked(request):
    hit = _hit(request, FILE_CHECK_COST)
    if not hit.allowed:
        return _too_many(False, hit.retry_after)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _home(request, file_form=form, status=400)
    check = file_check.check_file(form.cleaned_data["file"].read())
    return _home(request, check=check)


@require_safe
def verify(request, code):
    wants_json = _wants_json(request)
    certificate, refused = _lookup(request, code, wants_json=wants_json)
    if refused:
        return refused
    if certificate is None:
        if wants_json:
            return _public(JsonResponse({"status": "unknown"}, status=404))
        form = CodeForm(initial={"code": code[:64]})
        return _home(request, code_form=form, status=404, unknown=code[:64])
    data = verification.public_data(certificate)
    if wants_json:
        return _public(JsonResponse(data, json_dumps_params={"ensure_ascii": False}))
    return _public(
        render(request, "public/verify.html", {"data": data, "certificate": certificate})
    )


def _live_credential_certificate(request, code):
    certificate, refused = _lookup(request, code, wants_json=True)
    if refused:
        return None, refused
    # Only a live certificate is offered as a credential; one already handed out stays
    # checkable, and its status list says it was withdrawn.
    if certificate is None or verification.is_revoked(certificate):
        return None, _public(JsonResponse({"status": "unknown"}, status=404))
    return certificate, None


@require_safe
def credential_json(request, code):
    certificate, refused = _live_credential_certificate(request, code)
    if refused:
        return refused
    response = JsonResponse(
        credentials.credential_envelope(certificate),
        content_type="application/vc+ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.json"'
    return _public(response)


@require_safe
def credential_jwt(request, code):
    certificate, refused = _live_credential_certificate(request, code)
    if refused:
        return refused
    response = HttpResponse(credentials.credential_jwt(certificate), content_type="text/plain")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jwt"'
    return _public(response)


@require_safe
def status_list(request, school, number):
    project = get_object_or_404(Project, slug=school)
    if not Certificate.objects.filter(project=project).exists() or number < 1:
        raise Http404("No status list")
    response = HttpResponse(
        credentials.status_list_jwt(project, number), content_type="application/vc+jwt"
    )
    # Verifiers may cache the list briefly; a withdrawal shows within this many seconds.
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def keys(request):
    return _public(render(request, "public/keys.html", {"keys": signing.published_keys()}))


@require_safe
def key_pem(request, key_id):
    key = get_object_or_404(SigningKey, public_id=key_id)
    response = HttpResponse(key.certificate_pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="{key.kind}-{key_id}.pem"'
    return response
