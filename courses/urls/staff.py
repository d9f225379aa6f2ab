"""Staff URLs of courses: /staff/<school>/courses/… (in the `staff` namespace)."""

from django.urls import path

from ..views import staff

urlpatterns = [
    path("courses/", staff.course_list, name="courses"),
    path("courses/<uuid:course_id>/", staff.course_detail, name="course"),
]
