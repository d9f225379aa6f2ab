import pytest
from django.urls import reverse

from contacts.services import ContactError, contact_confirm_print_name
from tests.factories import ContactFactory

MY_CERTIFICATES = reverse("portal:certificates")


def confirm_url(contact):
    return reverse("portal:confirm_name", args=[contact.public_id])


def test_the_service_records_the_name_and_when(contact):
    contact_confirm_print_name(contact=contact, print_name="  Olena   Kovalenko ")

    contact.refresh_from_db()
    assert contact.print_name == "Olena Kovalenko"
    assert contact.print_name_confirmed_at is not None
    assert contact.name_to_print == "Olena Kovalenko"
    assert contact.name == "Олена Коваленко"


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_the_service_refuses_empty_or_too_long_names(contact, name):
    with pytest.raises(ContactError):
        contact_confirm_print_name(contact=contact, print_name=name)
    contact.refresh_from_db()
    assert contact.print_name_confirmed_at is None


def test_the_card_asks_until_the_name_is_confirmed(student_client, contact):
    page = student_client.get(MY_CERTIFICATES)
    assert page.context["name_card"] == contact
    assert "How should your name appear on certificates?" in page.content.decode()

    response = student_client.post(
        confirm_url(contact), {"print_name": "Olena Kovalenko", "next": MY_CERTIFICATES}
    )

    assert response["Location"] == MY_CERTIFICATES
    page = student_client.get(MY_CERTIFICATES)
    assert page.context["name_card"] is None
    assert (
        "Name on your certificates: <strong><bdi>Olena Kovalenko</bdi></strong>"
        in page.content.decode()
    )
    assert student_client.get(reverse("portal:courses")).context["name_card"] is None


def test_the_confirmed_name_is_printed_on_new_certificates(
    student_client, contact, course, access, issue
):
    student_client.post(confirm_url(contact), {"print_name": "Olena Kovalenko"})
    contact.refresh_from_db()

    certificate = issue(contact, course)

    assert certificate.snapshot["participant_name"] == "Olena Kovalenko"


def test_until_confirmed_the_contact_name_is_used(contact, course, access, issue):
    assert issue(contact, course).snapshot["participant_name"] == "Олена Коваленко"


def test_ask_me_later_hides_the_card(student_client, contact):
    response = student_client.post(reverse("portal:dismiss_name"), {"next": "/my/courses/"})

    assert response["Location"] == "/my/courses/"
    assert student_client.get(reverse("portal:courses")).context["name_card"] is None
    contact.refresh_from_db()
    assert contact.print_name_confirmed_at is None


def test_the_name_can_be_changed_later(student_client, contact):
    contact_confirm_print_name(contact=contact, print_name="Olena K.")

    page = student_client.get(MY_CERTIFICATES + "?name=edit")

    assert page.context["name_card"] == contact
    assert 'value="Olena K."' in page.content.decode()


def test_an_empty_name_is_refused_with_a_message(student_client, contact):
    response = student_client.post(confirm_url(contact), {"print_name": " "}, follow=True)

    assert "Enter your name as it should be printed" in response.content.decode()
    contact.refresh_from_db()
    assert contact.print_name_confirmed_at is None


def test_another_students_contact_is_404(student_client, project):
    other = ContactFactory(project=project)

    response = student_client.post(confirm_url(other), {"print_name": "Hacked"})

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.print_name == ""


def test_next_must_stay_on_this_site(student_client, contact):
    response = student_client.post(
        confirm_url(contact), {"print_name": "Olena", "next": "https://evil.example/"}
    )
    assert response["Location"] == MY_CERTIFICATES
