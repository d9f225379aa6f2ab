"""Staff URLs of accounts: the staff home that leads into a school."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
