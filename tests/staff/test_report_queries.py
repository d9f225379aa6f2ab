"""The report and its export cost a fixed number of queries, whatever the number of rows."""

import pytest
from django.urls import reverse

from certificates import report
from tests.factories import CertificateFactory, CourseCertificateFactory, UserFactory

# session, user, membership, the course certificates of the filter bar, the page, the totals,
# and the menu's count of the user's schools
REPORT_QUERIES = 7
# session, user, membership, the course certificates of the filter bar, the rows
EXPORT_QUERIES = 5


def add_certificates(project, count, alice):
    """Rows that touch every join: manual with an issuer, deleted with a deleter, two courses."""
    courses = [CourseCertificateFactory(project=project, course__project=project) for _ in range(2)]
    for n in range(count):
        CertificateFactory(
            course_certificate=courses[n % 2],
            method="manual" if n % 2 else "automatic",
            issued_by=UserFactory(password=None) if n % 2 else None,
            deleted_by=alice if n % 3 == 2 else None,
            deleted_at=report.timezone.now() if n % 3 == 2 else None,
        )


@pytest.mark.parametrize("count", [1, report.PAGE_SIZE])
def test_report_page_queries_do_not_grow_with_rows(
    staff_client, project, alice, django_assert_num_queries, count
):
    add_certificates(project, count, alice)
    url = reverse("staff:certificates_report", args=[project.slug])
    with django_assert_num_queries(REPORT_QUERIES):
        response = staff_client.get(url, {"deleted": "on", "sort": "name"})
    assert response.content.decode().count('class="cert-number') == count


@pytest.mark.parametrize("count", [1, report.PAGE_SIZE])
def test_next_page_queries_do_not_grow_with_rows(
    staff_client, project, alice, django_assert_num_queries, count
):
    add_certificates(project, count + report.PAGE_SIZE, alice)
    url = reverse("staff:certificates_report", args=[project.slug])
    first = report.page(
        report.with_columns(
            report.filtered(project=project, filters=report.Filters(include_deleted=True))
        ),
        project=project,
        sort=report.DEFAULT_SORT,
    )
    with django_assert_num_queries(REPORT_QUERIES):
        response = staff_client.get(url, {"deleted": "on", "cursor": first.next_cursor})
    assert response.content.decode().count('class="cert-number') == count


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("count", [1, report.PAGE_SIZE])
def test_export_queries_do_not_grow_with_rows(
    staff_client, project, alice, django_assert_num_queries, count, fmt
):
    add_certificates(project, count, alice)
    url = reverse("staff:certificates_export", args=[project.slug])
    # XLSX also counts the rows first: over exports.EXPORT_INLINE_MAX_ROWS it becomes a job.
    with django_assert_num_queries(EXPORT_QUERIES + (fmt == "xlsx")):
        response = staff_client.get(url, {"format": fmt, "deleted": "on"})
        body = b"".join(response.streaming_content)  # a streamed body queries as it is read
    if fmt == "csv":
        assert body.decode("utf-8-sig").count("\n") == count + 1
