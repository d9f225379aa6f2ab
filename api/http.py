"""The API's HTTP layer: token authentication, the rate limit, and every error as problem+json.

Errors follow RFC 9457 (type, title, status, detail), with the media type
application/problem+json, for every status the API answers with: 401, 403, 404, 405, 409,
422, 429 and 500. The OpenAPI schema says so for each operation.
"""

import logging
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from certificates.services import CertificateError
from lms.ratelimit import RateLimit

from . import schemas, tokens

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
# Statuses every authenticated operation may answer with, besides its own.
COMMON_ERRORS = (401, 404, 422, 429)


class ApiError(Exception):
    """An API error with its status and a detail the client sees as it is."""

    def __init__(self, status: int, detail: str, *, headers=None, errors=None):
        super().__init__(detail)
        self.status, self.detail, self.headers, self.errors = status, detail, headers or {}, errors


def problem_response(status: int, detail: str, *, headers=None, errors=None) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(
        body, status=status, content_type=PROBLEM_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def rate_limit() -> RateLimit:
    """lms.ratelimit's fixed window, counted per API token (by its hash) instead of address."""
    return RateLimit("api", limit=getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 300))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer lmsk_…`: the token's school becomes `request.project`."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        api_token = tokens.token_authenticate(token)
        if api_token is None:
            return None
        request.api_token = api_token
        request.project = api_token.project
        hit = rate_limit().hit(api_token.token_hash[:24])
        if not hit.allowed:
            raise ApiError(
                429,
                f"Too many requests for this token. Try again in {hit.retry_after} seconds.",
                headers={"Retry-After": str(hit.retry_after)},
            )
        return api_token


def require_write(request) -> None:
    if not request.api_token.can_write:
        raise ApiError(403, "This token is read-only; writes need a token with the write scope.")


def _validation_errors(errors) -> list[dict]:
    return [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in errors
    ]


def _problems_for_unrouted_responses(view):
    """Django's own 405 (a method the path has no operation for) as problem+json too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != PROBLEM_TYPE:
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
            return problem_response(405, "This method is not allowed here.", headers=headers)
        return response

    return wrapper


class ProblemAPI(NinjaAPI):
    """NinjaAPI whose errors, in responses and in the schema, are problem details."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_exception_handler(ApiError, self._problem)
        self.add_exception_handler(AuthenticationError, self._unauthenticated)
        self.add_exception_handler(HttpError, self._http_error)
        self.add_exception_handler(ValidationError, self._invalid)
        self.add_exception_handler(Http404, self._not_found)
        self.add_exception_handler(CertificateError, self._refused)
        self.add_exception_handler(Exception, self._server_error)

    def _problem(self, request, exc: ApiError):
        return problem_response(exc.status, exc.detail, headers=exc.headers, errors=exc.errors)

    def _unauthenticated(self, request, exc):
        return problem_response(
            401,
            "A valid API token is required: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": "Bearer"},
        )

    def _http_error(self, request, exc: HttpError):
        return problem_response(exc.status_code, str(exc))

    def _invalid(self, request, exc: ValidationError):
        return problem_response(
            422, "The request is not valid.", errors=_validation_errors(exc.errors)
        )

    def _not_found(self, request, exc):
        # Another school's object is not found either: the same answer, never 403.
        return problem_response(404, "Not found.")

    def _refused(self, request, exc: CertificateError):
        return problem_response(409, str(exc))

    def _server_error(self, request, exc):
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return problem_response(500, "Something went wrong on our side.")

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _problems_for_unrouted_responses(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_TYPE] = content.pop("application/json")
        return schema


def problems(*statuses: int) -> dict:
    """The `response=` entries of an operation's error statuses."""
    return {status: schemas.Problem for status in statuses}
