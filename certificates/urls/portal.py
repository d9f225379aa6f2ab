from django.urls import path

from certificates.views import portal

app_name = "portal"
urlpatterns = [
    path("courses/", portal.my_courses, name="courses"),
    path("lessons/<uuid:lesson_id>/", portal.lesson, name="lesson"),
    path("lessons/<uuid:lesson_id>/complete/", portal.lesson_mark_complete, name="lesson_complete"),
    path("lessons/<uuid:lesson_id>/answers/", portal.test_submit, name="test_submit"),
    path("certificates/", portal.my_certificates, name="certificates"),
    path("certificates/<uuid:public_id>/download/", portal.download, name="download"),
    path("certificates/<uuid:public_id>/view/", portal.view, name="view"),
    path("name/<uuid:contact_id>/", portal.confirm_name, name="confirm_name"),
    path("name/later/", portal.dismiss_name, name="dismiss_name"),
]
