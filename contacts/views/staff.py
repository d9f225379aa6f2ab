"""Staff Contacts: the list and the contact card with its tabs (Info, Products, History).

The Products tab composes courses (access, progress) and certificates (state per course);
its Issue now and × post to certificates' views, which redraw a row of this tab.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import project_object, staff_view
from certificates.selectors import contact_history, contact_products

from ..forms import ContactNamesForm
from ..models import Contact
from ..selectors import contact_events, contact_list
from ..services import ContactError, contact_invite, contact_rename

CONTACTS_PER_PAGE = 25
# The card's tabs also answer to ?tab=..., the way links from elsewhere may spell them.
TAB_URLS = {"products": "staff:contact_products", "history": "staff:contact_history"}


def card_contact(request, contact_id) -> Contact:
    """The contact of the card in the URL, or 404 for another project's contact."""
    return project_object(Contact.objects.select_related("user"), request, public_id=contact_id)


def card_context(contact, tab: str, **extra) -> dict:
    return {"section": "contacts", "contact": contact, "tab": tab, **extra}


@require_safe
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


@require_safe
@staff_view
def contact(request, contact_id):
    contact = card_contact(request, contact_id)
    if request.GET.get("tab") in TAB_URLS:
        return redirect(TAB_URLS[request.GET["tab"]], request.project.slug, contact.public_id)
    return render(request, "staff/contacts/info.html", card_context(contact, "info"))


@require_safe
@staff_view
def products_tab(request, contact_id):
    contact = card_contact(request, contact_id)
    context = card_context(contact, "products", products=contact_products(contact=contact))
    return render(request, "staff/contacts/products.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def contact_edit(request, contact_id):
    """Correct the contact's name and the name printed on certificates (kept in History)."""
    contact = card_contact(request, contact_id)
    initial = {"name": contact.name, "print_name": contact.print_name}
    form = ContactNamesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = contact_rename(contact=contact, actor=request.user, **form.cleaned_data)
        except ContactError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(
                    request, _("The names of %(name)s were saved.") % {"name": contact.name}
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("staff:contact", request.project.slug, contact.public_id)
    return render(request, "staff/contacts/edit.html", card_context(contact, "info", form=form))


@require_safe
@staff_view
def history_tab(request, contact_id):
    contact = card_contact(request, contact_id)
    events = sorted(
        [*contact_history(contact=contact), *contact_events(contact=contact)],
        key=lambda event: (event.at, event.pk),
        reverse=True,
    )
    context = card_context(contact, "history", events=events)
    return render(request, "staff/contacts/history.html", context)


@require_POST
@staff_view
def invite(request, contact_id):
    """Send the contact a link to set a portal password (a new login, or their existing one)."""
    contact = project_object(Contact.objects.all(), request, public_id=contact_id)
    try:
        user = contact_invite(contact=contact, actor=request.user)
    except ContactError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Invitation sent to %(email)s: a link to set a password for the portal.")
            % {"email": user.email},
        )
    return redirect("staff:contact", request.project.slug, contact.public_id)
