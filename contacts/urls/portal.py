"""Portal URLs of contacts: /my/name/… (in the `portal` namespace)."""

from django.urls import path

from ..views import portal

urlpatterns = [
    path("name/<uuid:contact_id>/", portal.confirm_name, name="confirm_name"),
    path("name/later/", portal.dismiss_name, name="dismiss_name"),
]
