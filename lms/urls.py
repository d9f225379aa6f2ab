"""Root URLs: each app brings its own; the staff and portal namespaces span several apps.

URL names (`staff:contact_products`, `portal:certificates`, …) and paths are what emailed
links and bookmarks use, so they stay whatever app a page lives in.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.throttling import PasswordResetView

from . import health, views

# /staff/<school>/…: every app's staff pages, scoped to a school by accounts.access.staff_view.
staff_patterns = [
    path("", include("accounts.urls")),
    path("<slug:project_slug>/", include("contacts.urls.staff")),
    path("<slug:project_slug>/", include("courses.urls.staff")),
    path("<slug:project_slug>/", include("certificates.urls.staff")),
    path("<slug:project_slug>/", include("api.urls.staff")),
]
# /my/…: the student portal.
portal_patterns = [
    path("", include("courses.urls.portal")),
    path("", include("certificates.urls.portal")),
    path("", include("contacts.urls.portal")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Rate-limited; the rest of the password views are Django's own.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include((staff_patterns, "staff"))),
    path("my/", include((portal_patterns, "portal"))),
    path("verify/", include("certificates.urls.public")),
    path("api/v1/", include("api.urls.v1")),
    path("django-admin/", admin.site.urls),
]
