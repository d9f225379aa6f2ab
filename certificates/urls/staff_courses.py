from django.urls import path

from certificates.views.staff import courses, template_editor

urlpatterns = [
    path("courses/", courses.course_list, name="courses"),
    path("courses/<uuid:course_id>/", courses.course_detail, name="course"),
    path(
        "courses/<uuid:course_id>/certificate/",
        courses.course_certificate,
        name="course_certificate",
    ),
    path(
        "courses/<uuid:course_id>/certificate/remove/",
        courses.course_certificate_remove_view,
        name="course_certificate_remove",
    ),
    path(
        "courses/<uuid:course_id>/certificate/preview/",
        courses.course_certificate_preview,
        name="course_certificate_preview",
    ),
    path(
        "courses/<uuid:course_id>/certificate/number-example/",
        courses.course_number_example,
        name="course_number_example",
    ),
    path("templates/", template_editor.template_list, name="templates"),
    path("templates/new/", template_editor.template_new, name="template_new"),
    path("templates/preview/", template_editor.template_preview, name="template_preview"),
    path("templates/<uuid:template_id>/", template_editor.template_edit, name="template_edit"),
]
