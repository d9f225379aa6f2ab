"""Staff URLs of the API app: /staff/<school>/settings/… (in the `staff` namespace)."""

from django.urls import path

from api.views import staff

urlpatterns = [
    path("settings/api-tokens/", staff.api_tokens, name="api_tokens"),
    path(
        "settings/api-tokens/<uuid:token_id>/revoke/",
        staff.api_token_revoke,
        name="api_token_revoke",
    ),
    path("settings/webhooks/", staff.webhooks_list, name="webhooks"),
    path("settings/webhooks/<uuid:endpoint_id>/", staff.webhook_detail, name="webhook"),
    path(
        "settings/webhooks/<uuid:endpoint_id>/enable/", staff.webhook_enable, name="webhook_enable"
    ),
    path(
        "settings/webhooks/<uuid:endpoint_id>/remove/", staff.webhook_remove, name="webhook_remove"
    ),
    path(
        "settings/webhooks/<uuid:endpoint_id>/rotate-secret/",
        staff.webhook_rotate_secret,
        name="webhook_rotate_secret",
    ),
    path(
        "settings/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/resend/",
        staff.webhook_resend,
        name="webhook_resend",
    ),
]
