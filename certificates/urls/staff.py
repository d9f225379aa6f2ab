"""Staff URLs of certificates: /staff/<school>/… (in the `staff` namespace).

The Products tab's actions, a course's certificate settings, templates, the Certificates
report with its exports, and bulk jobs.
"""

from django.urls import path

from certificates.views.staff import (
    bulk,
    course_certificate,
    products,
    reports,
    signing,
    template_editor,
)

urlpatterns = [
    # Issue now, × and the PDF, from the contact card's Products tab.
    path(
        "contacts/<uuid:contact_id>/courses/<uuid:course_id>/issue/confirm/",
        products.certificate_issue_confirm,
        name="certificate_issue_confirm",
    ),
    path(
        "contacts/<uuid:contact_id>/courses/<uuid:course_id>/issue/",
        products.certificate_issue,
        name="certificate_issue",
    ),
    path(
        "certificates/<uuid:certificate_id>/delete/",
        products.certificate_delete,
        name="certificate_delete",
    ),
    path(
        "certificates/<uuid:certificate_id>/reissue/",
        products.certificate_reissue,
        name="certificate_reissue",
    ),
    path(
        "certificates/<uuid:certificate_id>/renew/",
        products.certificate_renew,
        name="certificate_renew",
    ),
    path(
        "certificates/<uuid:certificate_id>/extend/",
        products.certificate_extend,
        name="certificate_extend",
    ),
    path(
        "certificates/<uuid:certificate_id>/download/",
        products.certificate_download,
        name="certificate_download",
    ),
    # A course's certificate settings.
    path(
        "courses/<uuid:course_id>/certificate/",
        course_certificate.course_certificate,
        name="course_certificate",
    ),
    path(
        "courses/<uuid:course_id>/certificate/remove/",
        course_certificate.course_certificate_remove_view,
        name="course_certificate_remove",
    ),
    path(
        "courses/<uuid:course_id>/certificate/preview/",
        course_certificate.course_certificate_preview,
        name="course_certificate_preview",
    ),
    path(
        "courses/<uuid:course_id>/certificate/number-example/",
        course_certificate.course_number_example,
        name="course_number_example",
    ),
    # Templates and the editor.
    path("templates/", template_editor.template_list, name="templates"),
    path("templates/new/", template_editor.template_new, name="template_new"),
    path("templates/preview/", template_editor.template_preview, name="template_preview"),
    path(
        "templates/designs/<slug:design>.png",
        template_editor.design_picture,
        name="template_design_picture",
    ),
    path("templates/<uuid:template_id>/", template_editor.template_edit, name="template_edit"),
    # Courses → All reports → Certificates, and its exports.
    path("reports/certificates/", reports.certificates_report, name="certificates_report"),
    path(
        "reports/certificates/columns/", reports.report_columns, name="certificates_report_columns"
    ),
    path("reports/certificates/export/", reports.certificates_export, name="certificates_export"),
    path("exports/<uuid:job_id>/", reports.export_job, name="export_job"),
    path("exports/<uuid:job_id>/download/", reports.export_download, name="export_download"),
    # Settings → Signing key (owners and admins).
    path("settings/signing-key/", signing.signing_keys, name="signing_keys"),
    path("settings/signing-key/rotate/", signing.signing_key_rotate, name="signing_key_rotate"),
    path("settings/signing-key/upload/", signing.signing_key_upload, name="signing_key_upload"),
    # Bulk jobs.
    path("courses/<uuid:course_id>/jobs/<slug:kind>/", bulk.job_start, name="bulk_job_start"),
    path("jobs/<uuid:job_id>/", bulk.job_detail, name="bulk_job"),
]
