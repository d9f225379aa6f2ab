"""Portal URLs of courses: /my/courses/, /my/lessons/… (in the `portal` namespace)."""

from django.urls import path

from ..views import portal

urlpatterns = [
    path("courses/", portal.my_courses, name="courses"),
    path("lessons/<uuid:lesson_id>/", portal.lesson, name="lesson"),
    path("lessons/<uuid:lesson_id>/complete/", portal.lesson_mark_complete, name="lesson_complete"),
    path("lessons/<uuid:lesson_id>/answers/", portal.test_submit, name="test_submit"),
]
