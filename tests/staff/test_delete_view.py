import re

from django.urls import reverse

from certificates.models import Certificate, CertificateEvent
from certificates.services import certificate_issue
from tests.factories import AccessFactory, ProjectFactory, course_with_certificate
from tests.helpers import messages_of, products_url

HTMX = {"HX-Request": "true"}


def delete_url(certificate, slug="demo"):
    return reverse("staff:certificate_delete", args=[slug, certificate.public_id])


def test_get_asks_to_confirm_and_changes_nothing(staff_client, certificate):
    response = staff_client.get(delete_url(certificate))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Delete certificate {certificate.number}?" in body
    assert f'action="{delete_url(certificate)}"' in body and 'method="post"' in body
    assert 'name="reason"' in body
    certificate.refresh_from_db()
    assert certificate.deleted_at is None


def test_with_htmx_the_confirm_form_comes_inline(staff_client, certificate, course):
    body = staff_client.get(delete_url(certificate), headers=HTMX).content.decode()
    assert "<html" not in body
    assert f'id="product-{course.public_id}"' in body
    assert f'hx-post="{delete_url(certificate)}"' in body
    assert f'aria-label="Delete certificate {certificate.number}"' not in body


def test_post_deletes_with_the_reason_and_goes_back_to_products(
    staff_client, certificate, contact, course, alice
):
    response = staff_client.post(delete_url(certificate), {"reason": "Name misspelled"})
    assert response.status_code == 302
    assert response["Location"] == f"{products_url(contact)}#product-{course.public_id}"
    certificate.refresh_from_db()
    assert (certificate.deleted_by, certificate.delete_reason) == (alice, "Name misspelled")
    event = CertificateEvent.objects.get(kind="deleted")
    assert (event.actor, event.reason) == (alice, "Name misspelled")
    assert messages_of(response) == [f"Certificate {certificate.number} deleted."]


def test_with_htmx_the_row_comes_back_with_issue_now(staff_client, certificate, course):
    response = staff_client.post(delete_url(certificate), headers=HTMX)
    body = response.content.decode()
    assert "<html" not in body
    assert f"Certificate {certificate.number} deleted." in body
    assert "pending, course not completed" in body
    assert "Issue now" in body
    assert f"Delete certificate {certificate.number}" not in body


def test_deleting_twice_says_it_is_already_deleted(staff_client, certificate):
    staff_client.post(delete_url(certificate))
    response = staff_client.post(delete_url(certificate), follow=True)
    assert f"Certificate {certificate.number} is already deleted." in response.content.decode()
    assert CertificateEvent.objects.filter(kind="deleted").count() == 1


def test_it_rejects_other_methods(staff_client, certificate):
    assert staff_client.put(delete_url(certificate)).status_code == 405
    assert staff_client.delete(delete_url(certificate)).status_code == 405
    certificate.refresh_from_db()
    assert certificate.deleted_at is None
    assert not CertificateEvent.objects.filter(kind="deleted").exists()


def test_a_certificate_of_another_project_is_404(staff_client, alice):
    other = ProjectFactory()
    course = course_with_certificate(other, lessons=1)
    access = AccessFactory(course=course, contact__project=other)
    foreign, _ = certificate_issue(contact=access.contact, course=course, actor=alice, force=True)
    assert staff_client.get(delete_url(foreign)).status_code == 404
    assert staff_client.post(delete_url(foreign)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.deleted_at is None


def test_staff_of_another_school_gets_404(client, charlie, certificate):
    client.force_login(charlie)
    assert client.post(delete_url(certificate)).status_code == 404
    assert Certificate.objects.live().count() == 1


def test_reissue_gives_a_new_number_and_keeps_the_old_one_in_history(
    staff_client, certificate, contact, course
):
    staff_client.post(delete_url(certificate), {"reason": "Template updated"}, headers=HTMX)
    issue = reverse("staff:certificate_issue", args=["demo", contact.public_id, course.public_id])
    body = staff_client.post(issue, headers=HTMX).content.decode()
    new = Certificate.objects.live().get()
    assert new.number != certificate.number
    assert new.number in body
    history = staff_client.get(reverse("staff:contact_history", args=["demo", contact.public_id]))
    text = re.sub(r"<[^>]+>", "", history.content.decode())
    assert f"replaced by {new.number}" in text
    assert f"replaces {certificate.number}" in text
