"""Staff Contacts: the list and the contact card's Info and History tabs.

The Products tab and its actions live in products.py.
"""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from certificates.selectors import contact_history
from contacts.models import Contact
from contacts.selectors import contact_list

from .scoping import project_object, staff_view

CONTACTS_PER_PAGE = 25
# The card's tabs also answer to ?tab=..., the way links from elsewhere may spell them.
TAB_URLS = {"products": "staff:contact_products", "history": "staff:contact_history"}


def card_contact(request, contact_id) -> Contact:
    """The contact of the card in the URL, or 404 for another project's contact."""
    return project_object(Contact.objects.select_related("user"), request, public_id=contact_id)


def card_context(contact, tab: str, **extra) -> dict:
    return {"section": "contacts", "contact": contact, "tab": tab, **extra}


@staff_view
def contacts(request):
    query = request.GET.get("q", "").strip()
    paginator = Paginator(contact_list(project=request.project, query=query), CONTACTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "staff/contacts/list.html",
        {"section": "contacts", "page": page, "query": query},
    )


@staff_view
def contact(request, contact_id):
    contact = card_contact(request, contact_id)
    if request.GET.get("tab") in TAB_URLS:
        return redirect(TAB_URLS[request.GET["tab"]], request.project.slug, contact.public_id)
    return render(request, "staff/contacts/info.html", card_context(contact, "info"))


@staff_view
def contact_history_tab(request, contact_id):
    contact = card_contact(request, contact_id)
    context = card_context(contact, "history", events=contact_history(contact=contact))
    return render(request, "staff/contacts/history.html", context)
