"""Reads of the API: certificates with everything a row shows, in one query whatever the count.

The webhook payloads use the same rows and the same data (schemas.certificate_data), so an
integration sees one shape of certificate wherever it comes from.
"""

from certificates.models import Certificate

# What a certificate row of the API reads, and only that: snapshots and template HTML stay out.
CERTIFICATE_FIELDS = (
    "public_id",
    "number",
    "code",
    "issued_at",
    "method",
    "forced",
    "issue_reason",
    "deleted_at",
    "delete_reason",
    # Certificate.state reads the expiry date in the school's time zone.
    "expires_at",
    "project__time_zone",
    "contact__public_id",
    "contact__name",
    "contact__email",
    "course_certificate__title",
    "course_certificate__course__public_id",
    "course_certificate__course__title",
    "template_revision__version",
    "issued_by__email",
    "replaces__public_id",
    "replaced_by__public_id",
)


def certificates(qs=None):
    """`qs` (the project's certificates, filtered) with the API's columns joined."""
    qs = Certificate.objects.all() if qs is None else qs
    return (
        qs.select_related(
            "project",
            "contact",
            "course_certificate__course",
            "template_revision",
            "issued_by",
            "replaces",
            "replaced_by",
        )
        .only(*CERTIFICATE_FIELDS)
        .with_outdated()
    )


def certificate(*, project, **lookup) -> Certificate | None:
    return certificates(Certificate.objects.filter(project=project, **lookup)).first()
