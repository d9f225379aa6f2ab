"""The API's shapes (pydantic, through django-ninja): what goes in and what comes out."""

import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from certificates.models import Certificate
from certificates.report import SORTS
from certificates.services import verification_url

State = Literal["valid", "expired", "withdrawn", "replaced"]
Sort = Literal[tuple(SORTS)]  # type: ignore[valid-type]


class Problem(Schema):
    """An error, as RFC 9457 problem details (application/problem+json)."""

    type: str = Field(examples=["about:blank"])
    title: str
    status: int
    detail: str
    errors: list[dict] | None = Field(
        None, description="For validation errors: each field's problem."
    )


class ContactRef(Schema):
    id: UUID
    name: str
    email: str


class CourseRef(Schema):
    id: UUID
    title: str


class CertificateOut(Schema):
    id: UUID
    number: str
    code: str = Field(description="The verification code printed on the certificate.")
    state: State
    verification_url: str
    contact: ContactRef
    course: CourseRef
    certificate_title: str
    issued_at: datetime.datetime
    method: Literal["automatic", "manual"]
    forced: bool = Field(description="Issued before the course's conditions were met.")
    issue_reason: str
    issued_by: str | None = Field(description="Email of the staff member; null if automatic.")
    template_version: int
    outdated: bool = Field(description="Not printed from the course's current template.")
    expires_at: datetime.date | None = Field(
        description="From this date (the school's) the certificate is expired; null: never."
    )
    deleted_at: datetime.datetime | None
    delete_reason: str
    replaces: UUID | None
    replaced_by: UUID | None


def certificate_data(c: Certificate) -> dict:
    """A certificate loaded by selectors.certificates, as CertificateOut's fields."""
    replaced_by = getattr(c, "replaced_by", None) if c.deleted_at else None
    return {
        "id": c.public_id,
        "number": c.number,
        "code": c.code,
        "state": c.state.value,
        "verification_url": verification_url(c.code),
        "contact": {
            "id": c.contact.public_id,
            "name": c.contact.name,
            "email": c.contact.email,
        },
        "course": {
            "id": c.course_certificate.course.public_id,
            "title": c.course_certificate.course.title,
        },
        "certificate_title": c.course_certificate.title,
        "issued_at": c.issued_at,
        "method": c.method,
        "forced": c.forced,
        "issue_reason": c.issue_reason,
        "issued_by": c.issued_by.email if c.issued_by else None,
        "template_version": c.template_revision.version,
        "outdated": bool(getattr(c, "outdated", False)),
        "expires_at": c.expires_at,
        "deleted_at": c.deleted_at,
        "delete_reason": c.delete_reason,
        "replaces": c.replaces.public_id if c.replaces else None,
        "replaced_by": replaced_by.public_id if replaced_by else None,
    }


class CertificatePage(Schema):
    items: list[CertificateOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    previous_cursor: str | None


class CertificateFilters(Schema):
    """The Certificates report's filters, sort and keyset paging."""

    q: str = Field("", max_length=200, description="A part of the name, email or number.")
    course: UUID | None = None
    certificate: UUID | None = Field(None, description="A course's certificate settings id.")
    issued_from: datetime.date | None = None
    issued_to: datetime.date | None = None
    method: Literal["automatic", "manual"] | None = None
    forced: bool | None = None
    outdated: bool = False
    deleted: bool = Field(False, description="Include deleted certificates.")
    sort: Sort = "-issued"
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(50, ge=1, le=100)


class IssueIn(Schema):
    contact: UUID
    course: UUID
    force: bool = Field(False, description="Issue before the course's conditions are met.")
    reason: str = Field("", max_length=500)


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class VerifyOut(Schema):
    """The public verification data, as the verify page shows it."""

    status: State
    number: str
    certificate_title: str
    course_title: str
    school: str
    issued_on: str
    verification_url: str
    participant_name: str | None = None
    withdrawn_on: str | None = None
    replaced_by: dict | None = None


class ContactOut(Schema):
    id: UUID
    name: str
    email: str
    phone: str
    name_to_print: str
    certificates_count: int = Field(description="Live certificates.")


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class ProductOut(Schema):
    """A course the contact has (had) access to, with its certificate's state."""

    course: CourseRef
    access: Literal["active", "scheduled", "expired", "paused", "revoked"]
    progress_percent: int
    lessons_completed: int
    lessons_total: int
    certificate_state: Literal["not_configured", "no_access", "pending", "earned", "issued"]
    certificate: UUID | None = Field(description="The live certificate, if issued.")
    history: list[UUID] = Field(description="Every certificate of the course, newest first.")


class ContactDetail(ContactOut):
    products: list[ProductOut]


class CertificateSettings(Schema):
    """A course's certificate settings, read-only."""

    id: UUID
    title: str
    template: str
    number_prefix: str
    number_format: str
    auto_issue: bool
    completion: Literal["all", "percent"]
    min_percent: int
    required_lessons: list[str]
    min_test_score: int | None


class CourseOut(Schema):
    id: UUID
    title: str
    issued_count: int = Field(description="Live certificates of the course.")
    certificate: CertificateSettings | None
