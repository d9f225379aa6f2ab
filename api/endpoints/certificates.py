"""/api/v1/certificates: the report's list, one certificate, issue, delete and reissue.

Reads reuse the Certificates report (its filter form, keyset cursor and paging); writes call
the same services as the staff pages, as the token's creator.
"""

from uuid import UUID

from django.http import Http404, HttpResponse, QueryDict
from ninja import Header, Query, Router, Status

from certificates import report, services
from certificates.report import Cursor
from contacts.models import Contact
from courses.models import Course

from .. import idempotency, schemas, selectors
from ..http import COMMON_ERRORS, ApiError, problems, require_write

router = Router(tags=["certificates"])

# 400: a body that is not JSON at all.
WRITE_ERRORS = (*COMMON_ERRORS, 400, 403, 409)


def _report_data(filters: schemas.CertificateFilters) -> QueryDict:
    """The API's filters as the report's query string, for its ReportForm."""
    data = QueryDict(mutable=True)
    values = {
        "q": filters.q,
        "course": filters.course,
        "certificate": filters.certificate,
        "issued_from": filters.issued_from,
        "issued_to": filters.issued_to,
        "method": filters.method,
        "forced": {True: "yes", False: "no"}.get(filters.forced),
        "outdated": "on" if filters.outdated else None,
        "deleted": "on" if filters.deleted else None,
        "sort": filters.sort,
    }
    for name, value in values.items():
        if value not in (None, ""):
            data[name] = str(value)
    return data


def _out(certificate) -> dict:
    return schemas.CertificateOut(**schemas.certificate_data(certificate)).model_dump(mode="json")


def _one(request, **lookup):
    certificate = selectors.certificate(project=request.project, **lookup)
    if certificate is None:
        raise Http404
    return certificate


@router.get(
    "/certificates",
    response={200: schemas.CertificatePage, **problems(*COMMON_ERRORS)},
    summary="List certificates",
)
def certificate_list(request, filters: Query[schemas.CertificateFilters]):
    """The Certificates report's list: the same filters and sorts, newest first by default."""
    form = report.ReportForm(_report_data(filters), project=request.project)
    report_filters = form.filters()
    if form.errors:
        errors = [
            {"loc": ["query", name], "msg": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
        raise ApiError(422, "The request is not valid.", errors=errors)
    if filters.cursor and Cursor.decode(filters.cursor, sort=filters.sort) is None:
        raise ApiError(422, "The cursor is damaged or belongs to another sort order.")
    qs = selectors.certificates(report.filtered(project=request.project, filters=report_filters))
    page = report.page(
        qs, project=request.project, sort=filters.sort, cursor=filters.cursor, size=filters.limit
    )
    return {
        "items": [schemas.certificate_data(c) for c in page.rows],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.get(
    "/certificates/lookup",
    response={200: schemas.CertificateOut, **problems(*COMMON_ERRORS)},
    summary="Find a certificate by number or verification code",
)
def certificate_lookup(
    request,
    number: str | None = Query(None, max_length=80),
    code: str | None = Query(None, max_length=64),
):
    if bool(number) == bool(code):
        raise ApiError(422, "Give either a number or a code.")
    if number:
        return schemas.certificate_data(_one(request, number=number))
    return schemas.certificate_data(_one(request, code=code.strip().upper()))


@router.get(
    "/certificates/{uuid:certificate_id}",
    response={200: schemas.CertificateOut, **problems(*COMMON_ERRORS)},
    summary="Get a certificate",
)
def certificate_detail(request, certificate_id: UUID):
    return schemas.certificate_data(_one(request, public_id=certificate_id))


@router.post(
    "/certificates",
    response={200: schemas.CertificateOut, 201: schemas.CertificateOut, **problems(*WRITE_ERRORS)},
    summary="Issue a certificate",
)
def certificate_issue(
    request,
    response: HttpResponse,
    payload: schemas.IssueIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
):
    """Issue the course's certificate to the contact, as **Issue now** does.

    201 when it is issued now; 200 with the certificate already in force. `force` issues
    before the conditions are met. With an `Idempotency-Key`, a retry gets the same answer.
    """
    require_write(request)

    def run():
        contact = Contact.objects.filter(project=request.project, public_id=payload.contact)
        course = Course.objects.filter(project=request.project, public_id=payload.course)
        contact, course = contact.first(), course.first()
        if contact is None or course is None:
            raise ApiError(404, "No such contact or course in this school.")
        certificate, created = services.certificate_issue(
            contact=contact,
            course=course,
            actor=request.api_token.created_by,
            force=payload.force,
            reason=payload.reason,
        )
        return (201 if created else 200), _out(_one(request, pk=certificate.pk))

    status, data, replayed = idempotency.run_once(
        project=request.project,
        key=idempotency_key,
        request=request,
        body=payload.model_dump(mode="json"),
        run=run,
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, data)


@router.post(
    "/certificates/{uuid:certificate_id}/delete",
    response={200: schemas.CertificateOut, **problems(*WRITE_ERRORS)},
    summary="Delete (withdraw) a certificate",
)
def certificate_delete(request, certificate_id: UUID, payload: schemas.ReasonIn):
    """The row stays, withdrawn, with who deleted it, when and why; deleting twice is a no-op."""
    require_write(request)
    certificate = _one(request, public_id=certificate_id)
    services.certificate_delete(
        certificate=certificate, actor=request.api_token.created_by, reason=payload.reason
    )
    return schemas.certificate_data(_one(request, pk=certificate.pk))


@router.post(
    "/certificates/{uuid:certificate_id}/reissue",
    response={201: schemas.CertificateOut, **problems(*WRITE_ERRORS)},
    summary="Reissue a certificate with today's data and template",
)
def certificate_reissue(request, certificate_id: UUID, payload: schemas.ReasonIn):
    """Deletes the certificate and issues a new one; answers with the new one."""
    require_write(request)
    certificate = _one(request, public_id=certificate_id, deleted_at__isnull=True)
    new = services.certificate_reissue(
        certificate=certificate, actor=request.api_token.created_by, reason=payload.reason
    )
    return Status(201, schemas.certificate_data(_one(request, pk=new.pk)))
