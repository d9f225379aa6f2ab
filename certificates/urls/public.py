from django.urls import path

from certificates.views import public

app_name = "public"
# Fixed paths first: a code is one path segment and would otherwise match "keys".
urlpatterns = [
    path("", public.verify_home, name="home"),
    path("check/", public.verify_file, name="check"),
    path("keys/", public.keys, name="keys"),
    path("keys/<uuid:key_id>.pem", public.key_pem, name="key_pem"),
    path("status/<slug:school>/<int:number>/", public.status_list, name="status_list"),
    path("<str:code>/", public.verify, name="verify"),
    path("<str:code>/credential.json", public.credential_json, name="credential_json"),
    path("<str:code>/credential.jwt", public.credential_jwt, name="credential_jwt"),
]
