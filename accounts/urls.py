"""Staff URLs of accounts: the staff home that leads into a school, and its settings."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:project_slug>/settings/", views.school_settings, name="school_settings"),
]
