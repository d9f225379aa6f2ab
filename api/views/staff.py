"""Settings → API tokens and Settings → Webhooks: owners' and admins' pages."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import project_object, staff_view
from api import tasks, tokens, webhooks
from api.forms import EndpointForm, TokenForm
from api.models import ApiToken, WebhookEndpoint

SECTION = "settings"


def _tokens(request):
    return ApiToken.objects.filter(project=request.project).select_related(
        "created_by", "revoked_by"
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(editor=True)
def api_tokens(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = tokens.token_create(
                project=request.project, actor=request.user, **form.cleaned_data
            )
        except tokens.TokenError as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm()
    # The new token is shown in this response only (never in a URL, a message or the session).
    context = {"section": SECTION, "form": form, "tokens": _tokens(request), "new_token": new_token}
    response = render(request, "staff/api/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(editor=True)
def api_token_revoke(request, token_id):
    token = project_object(
        ApiToken.objects.filter(revoked_at__isnull=True), request, public_id=token_id
    )
    if request.method == "POST":
        tokens.token_revoke(token=token, actor=request.user)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("staff:api_tokens", request.project.slug)
    return render(request, "staff/api/token_revoke.html", {"section": SECTION, "token": token})


def _endpoints(request):
    return WebhookEndpoint.objects.filter(project=request.project, removed_at__isnull=True)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(editor=True)
def webhooks_list(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.endpoint_create(
                project=request.project, actor=request.user, **form.cleaned_data
            )
        except webhooks.WebhookError as error:
            form.add_error("url", str(error))
        else:
            messages.success(request, _("The endpoint is added. Copy its signing secret below."))
            return redirect("staff:webhook", request.project.slug, endpoint.public_id)
    context = {"section": SECTION, "form": form, "endpoints": _endpoints(request)}
    return render(request, "staff/api/webhooks.html", context)


@staff_view(editor=True)
def webhook_detail(request, endpoint_id):
    endpoint = project_object(_endpoints(request), request, public_id=endpoint_id)
    deliveries = Paginator(endpoint.deliveries.all(), 50).get_page(request.GET.get("page"))
    context = {"section": SECTION, "endpoint": endpoint, "deliveries": deliveries}
    context["now"] = timezone.now()
    try:
        context["secret"] = webhooks.secret_of(endpoint)
    except webhooks.WebhookError as error:
        context["secret_error"] = str(error)
    response = render(request, "staff/api/webhook.html", context)
    response["Cache-Control"] = "no-store"  # the page shows the secret
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(editor=True)
def webhook_rotate_secret(request, endpoint_id):
    endpoint = project_object(_endpoints(request), request, public_id=endpoint_id)
    if request.method == "POST":
        try:
            endpoint = webhooks.endpoint_rotate_secret(endpoint=endpoint)
        except webhooks.WebhookError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The endpoint has a new signing secret; copy it below."))
        return redirect("staff:webhook", request.project.slug, endpoint.public_id)
    hours = int(webhooks.ROTATION_OVERLAP.total_seconds() // 3600)
    context = {"section": SECTION, "endpoint": endpoint, "overlap_hours": hours}
    return render(request, "staff/api/webhook_rotate.html", context)


@require_POST
@staff_view(editor=True)
def webhook_resend(request, endpoint_id, delivery_id):
    endpoint = project_object(_endpoints(request), request, public_id=endpoint_id)
    delivery = endpoint.deliveries.filter(public_id=delivery_id).first()
    if delivery is None:
        return redirect("staff:webhook", request.project.slug, endpoint.public_id)
    try:
        webhooks.delivery_resend(delivery=delivery)
    except webhooks.WebhookError as error:
        messages.error(request, str(error))
    else:
        tasks.webhook_deliver.delay(delivery.id, retry=False)
        messages.success(request, _("The message is being sent again."))
    return redirect("staff:webhook", request.project.slug, endpoint.public_id)


@require_POST
@staff_view(editor=True)
def webhook_enable(request, endpoint_id):
    endpoint = project_object(_endpoints(request), request, public_id=endpoint_id)
    webhooks.endpoint_enable(endpoint=endpoint)
    messages.success(request, _("The endpoint is enabled again."))
    return redirect("staff:webhook", request.project.slug, endpoint.public_id)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(editor=True)
def webhook_remove(request, endpoint_id):
    endpoint = project_object(_endpoints(request), request, public_id=endpoint_id)
    if request.method == "POST":
        webhooks.endpoint_remove(endpoint=endpoint)
        messages.success(request, _("The endpoint is removed; nothing more is sent to it."))
        return redirect("staff:webhooks", request.project.slug)
    return render(
        request, "staff/api/webhook_remove.html", {"section": SECTION, "endpoint": endpoint}
    )
