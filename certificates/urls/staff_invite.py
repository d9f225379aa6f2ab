from django.urls import path

from certificates.views.staff import invite

urlpatterns = [
    path("contacts/<uuid:contact_id>/invite/", invite.invite, name="contact_invite"),
]
