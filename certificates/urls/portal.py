from django.urls import path

from certificates.views import portal

app_name = "portal"
urlpatterns = [
    path("certificates/", portal.my_certificates, name="certificates"),
    path("certificates/<uuid:public_id>/download/", portal.download, name="download"),
]
