"""Issue 12.6: each reason's help text says where the reason is kept, and it is kept there."""

import csv
import io

from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificate_issue

HTMX = {"HX-Request": "true"}


def test_the_issue_reason_is_on_the_products_tab_as_its_help_says(
    staff_client, project, contact, course, access
):
    products = reverse("staff:contact_products", args=[project.slug, contact.public_id])
    confirm = reverse(
        "staff:certificate_issue_confirm", args=[project.slug, contact.public_id, course.public_id]
    )
    form = staff_client.get(confirm, headers=HTMX).content.decode()
    assert "Kept in the contact's History and on the Products tab; it is not printed." in form
    assert "Kept on the certificate" not in form

    issue = reverse(
        "staff:certificate_issue", args=[project.slug, contact.public_id, course.public_id]
    )
    staff_client.post(issue, {"reason": "Finished the course on paper"})
    assert "Finished the course on paper" in staff_client.get(products).content.decode()


def test_the_reissue_reason_is_in_the_exports_as_its_help_says(
    staff_client, project, contact, course, access, alice
):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    url = reverse("staff:certificate_reissue", args=[project.slug, old.public_id])
    form = staff_client.get(url, headers=HTMX).content.decode()
    assert (
        "Kept in the contact's History and in the Certificates report's CSV and XLSX exports; "
        "it is not printed."
    ) in form

    staff_client.post(url, {"reason": "Surname misspelt"})
    new = Certificate.objects.live().get()
    export = staff_client.get(
        reverse("staff:certificates_export", args=[project.slug]),
        {"format": "csv", "deleted": "on"},
    )
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(body))
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_number[old.number]["Deletion reason"] == "Surname misspelt"
    assert by_number[old.number]["Replaced by"] == new.number
    assert "Surname misspelt" not in str(new.snapshot)  # not printed
