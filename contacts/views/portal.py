"""The student portal's part of contacts: confirming the name printed on certificates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Contact
from ..selectors import print_name_card, student_contacts
from ..services import ContactError, contact_confirm_print_name

# Session key: the student said "ask me later" about the name to print.
NAME_DISMISSED = "portal_name_card_dismissed"


def name_card_context(request) -> dict:
    """The name card shown on My courses and My certificates, and the student's contacts."""
    contacts = student_contacts(request.user)
    card = print_name_card(
        contacts,
        editing=request.GET.get("name") == "edit",
        dismissed=bool(request.session.get(NAME_DISMISSED)),
    )
    return {"name_card": card, "student_contacts": contacts}


@login_required
@require_POST
def confirm_name(request, contact_id):
    contact = get_object_or_404(Contact, public_id=contact_id, user=request.user)
    try:
        contact_confirm_print_name(contact=contact, print_name=request.POST.get("print_name", ""))
    except ContactError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Thank you. Your certificates will read “%(name)s”.") % {"name": contact.print_name},
        )
    return HttpResponseRedirect(_back(request))


@login_required
@require_POST
def dismiss_name(request):
    request.session[NAME_DISMISSED] = True
    return HttpResponseRedirect(_back(request))


def _back(request) -> str:
    """Where the form was sent from: a path on this site, or My certificates.

    Only a path is taken: `next=foo` is no place to go back to (and redirect() would look it
    up as a URL name).
    """
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:certificates")
