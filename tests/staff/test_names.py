"""Correcting a name on the contact card, and the one-step reissue it leads to (issue #12.1)."""

from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificate_issue
from contacts.models import ContactEvent
from tests.factories import (
    AccessFactory,
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from tests.helpers import messages_of

HTMX = {"HX-Request": "true"}


def edit_url(contact, slug="demo"):
    return reverse("staff:contact_edit", args=[slug, contact.public_id])


def reissue_url(certificate):
    return reverse("staff:certificate_reissue", args=["demo", certificate.public_id])


def test_staff_correct_the_name_to_print_and_history_says_who_from_what(
    staff_client, contact, alice
):
    contact.print_name = "Olena Kovalenko"
    contact.save()

    response = staff_client.post(
        edit_url(contact), {"name": "Олена  Коваленко ", "print_name": "Olena Kovalenko-Shevchuk"}
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.print_name) == ("Олена Коваленко", "Olena Kovalenko-Shevchuk")
    assert contact.print_name_confirmed_at is None
    events = list(ContactEvent.objects.values_list("kind", "before", "after", "actor"))
    assert events == [
        ("print_name_changed", "Olena Kovalenko", "Olena Kovalenko-Shevchuk", alice.pk)
    ]
    history = staff_client.get(
        reverse("staff:contact_history", args=["demo", contact.public_id])
    ).content.decode()
    assert "name on certificates changed" in history
    assert "from “Olena Kovalenko” to “Olena Kovalenko-Shevchuk”" in history
    assert "alice@example.com" in history


def test_an_empty_name_is_refused_and_nothing_changes(staff_client, contact):
    response = staff_client.post(edit_url(contact), {"name": "   ", "print_name": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    contact.refresh_from_db()
    assert contact.name == "Олена Коваленко"
    assert not ContactEvent.objects.exists()


def test_another_schools_contact_cannot_be_edited(client, contact):
    other = MembershipFactory(project=ProjectFactory(slug="other"), user=UserFactory()).user
    client.force_login(other)

    response = client.post(edit_url(contact, slug="other"), {"name": "X", "print_name": ""})

    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.name == "Олена Коваленко"


def test_a_changed_name_is_flagged_and_reissued_in_one_step(
    staff_client, client, contact, course, access, alice
):
    old, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    assert old.printed_name == "Олена Коваленко"
    staff_client.post(edit_url(contact), {"name": contact.name, "print_name": "Olena Kovalenko"})
    products = reverse("staff:contact_products", args=["demo", contact.public_id])

    row = staff_client.get(products).content.decode()
    assert "name changed since issue" in row
    assert (
        "Printed for “<bdi>Олена Коваленко</bdi>”; the name on certificates is now "
        "“<bdi>Olena Kovalenko</bdi>”." in row
    )
    assert reissue_url(old) in row

    confirm = staff_client.get(reissue_url(old), headers=HTMX).content.decode()
    assert f"Reissue certificate {old.number}?" in confirm
    assert "The new certificate will read “<bdi>Olena Kovalenko</bdi>”" in confirm
    assert Certificate.objects.count() == 1

    response = staff_client.post(reissue_url(old), {"reason": "Name corrected"})

    old.refresh_from_db()
    new = Certificate.objects.live().get()
    assert new.printed_name == "Olena Kovalenko"
    assert new.snapshot["participant_name"] == "Olena Kovalenko"
    assert new.replaces == old
    assert old.delete_reason == "Name corrected"
    assert messages_of(response) == [
        f"Certificate {new.number} issued to Olena Kovalenko; it replaces {old.number}."
    ]
    assert "name changed since issue" not in staff_client.get(products).content.decode()
    verify = client.get(reverse("public:verify", args=[old.code])).content.decode()
    assert "It was replaced by" in verify and new.number in verify


def test_the_report_shows_searches_and_filters_the_printed_name(
    staff_client, project, course, alice
):
    renamed = ContactFactory(project=project, name="Iryna Bondarenko")
    same = ContactFactory(project=project, name="Marta Nowak")
    for person in (renamed, same):
        AccessFactory(contact=person, course=course)
    first, _ = certificate_issue(contact=renamed, course=course, actor=alice, force=True)
    second, _ = certificate_issue(contact=same, course=course, actor=alice, force=True)
    staff_client.post(edit_url(renamed), {"name": "Iryna Petrenko", "print_name": ""})
    report = reverse("staff:certificates_report", args=["demo"])

    page = staff_client.get(report).content.decode()
    found = staff_client.get(report, {"q": "bondarenko"}).content.decode()
    flagged = staff_client.get(report, {"name_changed": "on"}).content.decode()

    assert "printed: <bdi>Iryna Bondarenko</bdi>" in page
    assert first.number in found and second.number not in found
    assert first.number in flagged and second.number not in flagged
