"""The Certificates report fits: a column chooser remembered per person, row actions, and the
certificate filter narrowed to the chosen course (issue #12.5)."""

from django.urls import reverse

from accounts.models import Membership
from tests.factories import CertificateFactory, MembershipFactory, UserFactory

REPORT = reverse("staff:certificates_report", args=["demo"])
COLUMNS = reverse("staff:certificates_report_columns", args=["demo"])


def headings(html: str) -> list[str]:
    head = html[html.index("<thead") : html.index("</thead>")]
    return [part.split("</th>")[0] for part in head.split("<th")[1:]]


def test_chosen_columns_are_remembered_for_that_person_only(staff_client, project, alice, course):
    CertificateFactory(course_certificate=course.certificate)

    response = staff_client.post(COLUMNS, {"columns": ["email", "bogus", "method"], "q": "PY"})

    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?q=PY"
    membership = Membership.objects.get(user=alice, project=project)
    assert membership.report_columns == ["email", "method"]
    html = staff_client.get(REPORT).content.decode()
    shown = " ".join(headings(html))
    assert "Email" in shown and "Method" in shown
    assert "Issued by" not in shown and "Template" not in shown
    other = MembershipFactory(project=project, user=UserFactory(), role="manager").user
    staff_client.force_login(other)
    assert "Issued by" in " ".join(headings(staff_client.get(REPORT).content.decode()))


def test_choosing_no_column_shows_them_all(staff_client, project, alice, course):
    CertificateFactory(course_certificate=course.certificate)
    staff_client.post(COLUMNS, {"columns": ["email"]})
    staff_client.post(COLUMNS, {})

    shown = " ".join(headings(staff_client.get(REPORT).content.decode()))

    for heading in ("Email", "Course", "Certificate", "Issue date", "Method", "Issued by"):
        assert heading in shown


def test_each_row_links_to_the_pdf_the_verify_page_and_the_contact_card(
    staff_client, project, course
):
    certificate = CertificateFactory(course_certificate=course.certificate)

    html = staff_client.get(REPORT).content.decode()

    assert reverse("staff:certificate_download", args=["demo", certificate.public_id]) in html
    assert reverse("public:verify", args=[certificate.code]) in html
    assert reverse("staff:contact_products", args=["demo", certificate.contact.public_id]) in html


def test_the_certificate_filter_offers_the_chosen_courses_certificates(
    staff_client, course, python_cc
):
    everything = staff_client.get(REPORT).content.decode()
    narrowed = staff_client.get(REPORT, {"course": str(python_cc.course.public_id)})
    narrowed = narrowed.content.decode()

    assert f'value="{course.certificate.public_id}"' in everything
    assert f'value="{python_cc.public_id}"' in everything
    assert f'value="{python_cc.public_id}"' in narrowed
    assert f'value="{course.certificate.public_id}"' not in narrowed


def test_htmx_redraws_the_certificate_filter_with_the_results(staff_client, course, python_cc):
    response = staff_client.get(
        REPORT, {"course": str(python_cc.course.public_id)}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert '<div id="certificate-filter" hx-swap-oob="true">' in html
    assert f'value="{course.certificate.public_id}"' not in html
