"""Staff URLs of contacts: /staff/<school>/contacts/… (in the `staff` namespace)."""

from django.urls import path

from ..views import staff

urlpatterns = [
    path("contacts/", staff.contacts, name="contacts"),
    path("contacts/<uuid:contact_id>/", staff.contact, name="contact"),
    path("contacts/<uuid:contact_id>/edit/", staff.contact_edit, name="contact_edit"),
    path("contacts/<uuid:contact_id>/products/", staff.products_tab, name="contact_products"),
    path("contacts/<uuid:contact_id>/history/", staff.history_tab, name="contact_history"),
    path("contacts/<uuid:contact_id>/invite/", staff.invite, name="contact_invite"),
]
