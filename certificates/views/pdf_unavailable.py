"""The answer to a download whose PDF cannot be drawn: a page that says so, never a 500."""

import logging

from django.shortcuts import render

logger = logging.getLogger(__name__)
# A render refused for time can succeed once the renderers are less busy; one refused for its
# template's size will not, but staff can reissue the certificate with a fixed template.
RETRY_AFTER_SECONDS = 120


def pdf_unavailable(request, template_name: str, error: Exception, certificate):
    """503 Service Unavailable: the request is right and the certificate exists, but the server
    cannot produce its file now. Not a 500 (nothing crashed: a limit held) and not a 4xx (the
    person asking did nothing wrong); Retry-After tells programs when to try again."""
    logger.warning("PDF of certificate %s could not be rendered: %s", certificate.pk, error)
    context = {"certificate": certificate, "reason": str(error)}
    response = render(request, template_name, context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "private, no-store"
    return response
