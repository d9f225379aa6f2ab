from django.urls import path

from certificates.views.staff import reports

urlpatterns = [
    path("reports/certificates/", reports.certificates_report, name="certificates_report"),
    path("reports/certificates/export/", reports.certificates_export, name="certificates_export"),
    path("exports/<uuid:job_id>/", reports.export_job, name="export_job"),
    path("exports/<uuid:job_id>/download/", reports.export_download, name="export_download"),
]
