from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates.views.staff.scoping import project_object, staff_view
from contacts.models import Contact
from contacts.services import ContactError, contact_invite


@staff_view
@require_POST
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
