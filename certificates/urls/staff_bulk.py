from django.urls import path

from certificates.views.staff import bulk

urlpatterns = [
    path("courses/<uuid:course_id>/jobs/<slug:kind>/", bulk.job_start, name="bulk_job_start"),
    path("jobs/<uuid:job_id>/", bulk.job_detail, name="bulk_job"),
]
