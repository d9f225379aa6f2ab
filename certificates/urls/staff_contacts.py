"""Staff Contacts: the list, the contact card's tabs and the Products tab's actions."""

from django.urls import path

from certificates.views.staff import contacts, products

urlpatterns = [
    path("contacts/", contacts.contacts, name="contacts"),
    path("contacts/<uuid:contact_id>/", contacts.contact, name="contact"),
    path(
        "contacts/<uuid:contact_id>/products/",
        products.products_tab,
        name="contact_products",
    ),
    path(
        "contacts/<uuid:contact_id>/history/",
        contacts.contact_history_tab,
        name="contact_history",
    ),
    path(
        "contacts/<uuid:contact_id>/courses/<uuid:course_id>/issue/confirm/",
        products.certificate_issue_confirm,
        name="certificate_issue_confirm",
    ),
    path(
        "contacts/<uuid:contact_id>/courses/<uuid:course_id>/issue/",
        products.certificate_issue,
        name="certificate_issue",
    ),
    path(
        "certificates/<uuid:certificate_id>/delete/",
        products.certificate_delete,
        name="certificate_delete",
    ),
    path(
        "certificates/<uuid:certificate_id>/download/",
        products.certificate_download,
        name="certificate_download",
    ),
]
