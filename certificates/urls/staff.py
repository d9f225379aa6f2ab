"""Staff URLs: /staff/<project_slug>/... Each area keeps its routes in its own module."""

from django.urls import include, path

from certificates.views.staff import home

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
    path("<slug:project_slug>/", include("certificates.urls.staff_contacts")),
    path("<slug:project_slug>/", include("certificates.urls.staff_reports")),
    path("<slug:project_slug>/", include("certificates.urls.staff_courses")),
    path("<slug:project_slug>/", include("certificates.urls.staff_bulk")),
    path("<slug:project_slug>/", include("certificates.urls.staff_invite")),
]
