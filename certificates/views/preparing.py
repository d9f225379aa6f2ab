"""The answer to a download whose PDF is not in storage yet and cannot be stored right now.

Never a 500: 503 Service Unavailable with Retry-After, which scripts and download managers
understand; a browser gets a page that says so and tries again by itself.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

RETRY_AFTER = 15  # seconds; the render task retries on its own meanwhile


def pdf_being_prepared(request) -> HttpResponse:
    if "text/html" in request.headers.get("Accept", ""):
        response = render(
            request, "certificates/pdf_preparing.html", {"retry_after": RETRY_AFTER}, status=503
        )
    else:
        response = HttpResponse(
            _("The certificate PDF is being prepared. Try again in a minute."),
            content_type="text/plain; charset=utf-8",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
