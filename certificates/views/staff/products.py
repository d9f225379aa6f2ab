"""The Products tab's certificate actions: Issue now, × (delete) and the certificate PDF.

Without JavaScript the actions are plain forms: confirm pages, then POST-redirect-GET back
to the tab. With htmx each answers with the product's row alone, its messages inside it.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import project_object, staff_view
from certificates import services
from certificates.forms import ExtendExpiryForm
from certificates.models import Certificate
from certificates.selectors import contact_products
from certificates.views.pdf_response import pdf_file_response
from certificates.views.pdf_unavailable import pdf_unavailable
from certificates.views.preparing import pdf_being_prepared
from contacts.views.staff import card_contact, card_context
from courses import selectors as course_selectors
from courses.models import Course


def _product(contact, course):
    products = contact_products(contact=contact, course=course)
    if not products:
        raise Http404("The contact has no access to this course")
    return products[0]


def _row(request, contact, course, confirm="", product=None):
    """The Products line; `product` when the action already loaded it (Issue now)."""
    product = product or _product(contact, course)
    context = {"contact": contact, "product": product, "confirm": confirm}
    return render(request, "staff/contacts/_product.html", {**context, "inline_messages": True})


def _after_action(request, contact, course, product=None):
    if request.htmx:
        return _row(request, contact, course, product=product)
    url = reverse("staff:contact_products", args=[request.project.slug, contact.public_id])
    return redirect(f"{url}#product-{course.public_id}")


@require_safe
@staff_view
def certificate_issue_confirm(request, contact_id, course_id):
    """Ask before issuing to someone who has not completed the course yet."""
    contact = card_contact(request, contact_id)
    course = project_object(Course.objects.all(), request, public_id=course_id)
    if request.htmx:
        return _row(request, contact, course, confirm="issue")
    context = card_context(contact, "products", product=_product(contact, course))
    return render(request, "staff/contacts/issue_confirm.html", context)


def _contact_and_course(request, contact_id, course_id):
    """The card's contact and the course of the URL, each 404 when not the school's; one query
    when the contact has access to the course (what Issue now is for)."""
    access = course_selectors.access_of(
        project=request.project, contact_id=contact_id, course_id=course_id
    )
    if access is not None:
        return access.contact, access.course
    contact = card_contact(request, contact_id)
    return contact, project_object(Course.objects.all(), request, public_id=course_id)


@require_POST
@staff_view
def certificate_issue(request, contact_id, course_id):
    contact, course = _contact_and_course(request, contact_id, course_id)
    product = None
    try:
        certificate, created, product = services.certificate_issue_with_product(
            contact=contact,
            course=course,
            actor=request.user,
            force=True,
            reason=request.POST.get("reason", ""),
        )
    except services.CertificateError as error:
        messages.error(request, str(error))
    else:
        names = {"number": certificate.number, "name": certificate.printed_name}
        if created:
            messages.success(request, _("Certificate %(number)s issued to %(name)s.") % names)
        else:
            messages.info(
                request,
                _("%(name)s already has certificate %(number)s; nothing new was issued.") % names,
            )
    return _after_action(request, contact, course, product=product)


def _live_certificate(request, certificate_id):
    """(The school's certificate, whether it is live); a deleted one comes with a message."""
    certificate = project_object(
        Certificate.objects.select_related(
            "project", "contact__user", "course_certificate__course"
        ),
        request,
        public_id=certificate_id,
    )
    if certificate.is_deleted:
        number = {"number": certificate.number}
        messages.info(request, _("Certificate %(number)s is already deleted.") % number)
        return certificate, False
    return certificate, True


def _confirmed_action(request, certificate_id, *, confirm, act):
    """× (delete), Reissue and Renew: GET asks to confirm (the row in place with htmx, else a
    page); POST runs `act(certificate)`, which returns the success message. A deleted
    certificate gets a message instead."""
    certificate, live = _live_certificate(request, certificate_id)
    contact, course = certificate.contact, certificate.course_certificate.course
    if not live:
        return _after_action(request, contact, course)
    if request.method == "POST":
        try:
            message = act(certificate)
        except services.CertificateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return _after_action(request, contact, course)
    if request.htmx:
        return _row(request, contact, course, confirm=confirm)
    context = card_context(contact, "products", certificate=certificate)
    return render(request, f"staff/contacts/{confirm}_confirm.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def certificate_delete(request, certificate_id):
    """GET asks to confirm; POST withdraws the certificate (it stays in History)."""

    def delete(certificate):
        services.certificate_delete(
            certificate=certificate,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            # The form requires a choice; a client that sends none withdraws for "other".
            category=request.POST.get("category") or Certificate.DeleteCategory.OTHER,
        )
        return _("Certificate %(number)s deleted.") % {"number": certificate.number}

    return _confirmed_action(request, certificate_id, confirm="delete", act=delete)


@require_http_methods(["GET", "POST"])
@staff_view
def certificate_reissue(request, certificate_id):
    """GET asks to confirm; POST deletes and issues again in one step (e.g. a corrected name)."""

    def reissue(certificate):
        new = services.certificate_reissue(
            certificate=certificate,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            # None: the service picks (a name correction when the printed name changed).
            category=request.POST.get("category") or None,
        )
        values = {"new": new.number, "name": new.printed_name, "old": certificate.number}
        return _("Certificate %(new)s issued to %(name)s; it replaces %(old)s.") % values

    return _confirmed_action(request, certificate_id, confirm="reissue", act=reissue)


@require_safe
@staff_view
def certificate_download(request, certificate_id):
    # Not joined with its template revision: that row holds the template's whole HTML and CSS
    # (up to 200,000 characters), which a stored PDF's download never needs; the rare "cannot
    # be drawn" page loads it itself.
    certificate = project_object(Certificate.objects.all(), request, public_id=certificate_id)
    try:
        handle = services.certificate_pdf_open(certificate=certificate)
    except services.CertificatePdfNotReady:
        return pdf_being_prepared(request)
    except services.RenderError as exc:
        return pdf_unavailable(
            request, "staff/certificate_templates/pdf_unavailable.html", exc, certificate
        )
    return pdf_file_response(handle, filename=f"{certificate.number}.pdf", as_attachment=True)


# Expiry: renew and extend -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def certificate_renew(request, certificate_id):
    """GET asks to confirm; POST issues a renewed certificate that replaces this one."""

    def renew(certificate):
        new = services.certificate_renew(
            certificate=certificate, actor=request.user, reason=request.POST.get("reason", "")
        )
        return _("Certificate %(new)s renews %(old)s.") % {
            "new": new.number,
            "old": certificate.number,
        }

    return _confirmed_action(request, certificate_id, confirm="renew", act=renew)


@require_POST
@staff_view
def certificate_extend(request, certificate_id):
    """Move the expiry date later, with a reason kept in History."""
    certificate, live = _live_certificate(request, certificate_id)
    contact, course = certificate.contact, certificate.course_certificate.course
    form = ExtendExpiryForm(request.POST)
    if live and not form.is_valid():
        errors = [f"{form[name].label}: {e}" for name, found in form.errors.items() for e in found]
        messages.error(request, " ".join(errors))
    elif live:
        try:
            services.certificate_extend_expiry(
                certificate=certificate, actor=request.user, **form.cleaned_data
            )
        except services.CertificateError as error:
            messages.error(request, str(error))
        else:
            date = formats.date_format(form.cleaned_data["new_date"], "DATE_FORMAT")
            values = {"number": certificate.number, "date": date}
            messages.success(request, _("Certificate %(number)s now expires on %(date)s.") % values)
    return _after_action(request, contact, course)
