"""/api/v1/contacts: search, and one contact with its products and certificate states."""

from uuid import UUID

from django.core import signing
from django.http import Http404
from ninja import Field, Query, Router, Schema

from certificates.selectors import contact_products
from contacts.models import Contact
from contacts.selectors import contact_list

from .. import schemas
from ..http import COMMON_ERRORS, ApiError, problems

router = Router(tags=["contacts"])
_CURSOR_SALT = "api.contacts.cursor"


class ContactSearch(Schema):
    q: str = Field("", max_length=200, description="A part of the name, email or phone.")
    cursor: str | None = Field(None, max_length=1000)
    limit: int = Field(50, ge=1, le=100)


def _contact(c: Contact) -> dict:
    return {
        "id": c.public_id,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "name_to_print": c.name_to_print,
        "certificates_count": c.certificates_count,
    }


@router.get(
    "/contacts",
    response={200: schemas.ContactPage, **problems(*COMMON_ERRORS)},
    summary="Search contacts",
)
def contact_search(request, search: Query[ContactSearch]):
    """The school's contacts by name, in pages (keyset: (name, id) of the last one)."""
    contacts = contact_list(project=request.project, query=search.q)
    if search.cursor:
        try:
            name, pk = signing.loads(search.cursor, salt=_CURSOR_SALT)
            contacts = contacts.filter(name__gte=name).exclude(name=name, id__lte=int(pk))
        except (signing.BadSignature, ValueError, TypeError) as error:
            raise ApiError(422, "The cursor is damaged.") from error
    rows = list(contacts[: search.limit + 1])
    more, rows = len(rows) > search.limit, rows[: search.limit]
    last = rows[-1] if rows else None
    return {
        "items": [_contact(c) for c in rows],
        "next_cursor": signing.dumps([last.name, last.pk], salt=_CURSOR_SALT) if more else None,
    }


@router.get(
    "/contacts/{uuid:contact_id}",
    response={200: schemas.ContactDetail, **problems(*COMMON_ERRORS)},
    summary="Get a contact with its products",
)
def contact_detail(request, contact_id: UUID):
    """The contact card's Products tab: each course, its progress and certificate state."""
    contact = contact_list(project=request.project).filter(public_id=contact_id).first()
    if contact is None:
        raise Http404
    products = [
        {
            "course": {"id": p.course.public_id, "title": p.course.title},
            "access": p.access_status.value,
            "progress_percent": p.evaluation.percent,
            "lessons_completed": p.evaluation.completed,
            "lessons_total": p.evaluation.total,
            "certificate_state": p.status.state.value,
            "certificate": p.status.certificate.public_id if p.status.certificate else None,
            "history": [c.public_id for c in p.history],
        }
        for p in contact_products(contact=contact)
    ]
    return {**_contact(contact), "products": products}
