"""The API, version 1: /api/v1/ with its OpenAPI 3.1 schema (openapi.json) and docs page."""

from .endpoints import certificates, contacts, courses, verify
from .http import ProblemAPI, TokenAuth

api = ProblemAPI(
    title="Certificates API",
    version="1.0.0",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    description=(
        "The school's certificates, contacts and courses. Authenticate with a school's API "
        "token: `Authorization: Bearer lmsk_…` (Settings → API tokens). Errors are RFC 9457 "
        "problem details (application/problem+json)."
    ),
)
for module in (certificates, contacts, courses, verify):
    api.add_router("/", module.router)
