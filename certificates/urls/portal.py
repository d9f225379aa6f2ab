"""Portal URLs of certificates: /my/certificates/… (in the `portal` namespace)."""

from django.urls import path

from certificates.views import portal

urlpatterns = [
    path("certificates/", portal.my_certificates, name="certificates"),
    path("certificates/<uuid:public_id>/download/", portal.download, name="download"),
    path("certificates/<uuid:public_id>/view/", portal.view, name="view"),
]
