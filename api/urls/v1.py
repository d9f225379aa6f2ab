"""/api/v1/: the API (api/v1.py), and a problem+json 404 for any other path under it."""

from django.http import HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from api.http import problem_response
from api.v1 import api


@csrf_exempt  # API clients send no CSRF token; this view only answers 404
def not_found(request, rest="") -> HttpResponse:
    return problem_response(404, "There is no such API endpoint.")


urlpatterns = [
    path("", api.urls),
    # Anything else under /api/v1/ is a problem+json 404 too, not the site's HTML page.
    re_path(r"^(?P<rest>[\s\S]*)$", not_found),  # any character, newlines too
]
