from django.urls import path

from certificates.views import public

app_name = "public"
urlpatterns = [
    path("<str:code>/", public.verify, name="verify"),
]
