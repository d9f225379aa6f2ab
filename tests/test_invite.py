import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from contacts.services import ContactError, contact_invite
from tests.factories import ContactFactory, MembershipFactory, UserFactory
from tests.helpers import messages_of

LINK = re.compile(r"https?://\S+/accounts/reset/\S+/")


def invite(contact, actor, capture):
    with capture(execute=True):
        return contact_invite(contact=contact, actor=actor)


def set_password_link(message) -> str:
    return LINK.search(message.body).group(0)


def test_it_creates_a_login_and_links_it(contact, alice, django_capture_on_commit_callbacks):
    user = invite(contact, alice, django_capture_on_commit_callbacks)

    contact.refresh_from_db()
    assert contact.user == user
    assert user.email == "olena@example.com"
    [message] = mail.outbox
    assert message.to == ["olena@example.com"]
    assert "Demo School" in message.subject
    assert set_password_link(message) in message.alternatives[0][0]


def test_the_link_sets_a_password_that_logs_in(
    client, contact, alice, django_capture_on_commit_callbacks, settings
):
    invite(contact, alice, django_capture_on_commit_callbacks)
    path = set_password_link(mail.outbox[0]).removeprefix(settings.SITE_URL)

    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    assert "olena@example.com" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-secret-42", "new_password2": "a-long-new-secret-42"},
    )
    assert done.status_code == 302

    client.logout()
    assert client.login(username="olena@example.com", password="a-long-new-secret-42")
    # The link works once.
    assert client.get(path, follow=True).context["validlink"] is False


def test_it_reuses_an_existing_login(contact, alice, django_capture_on_commit_callbacks):
    existing = UserFactory(email="Olena@Example.com".lower())

    user = invite(contact, alice, django_capture_on_commit_callbacks)

    assert user == existing
    assert User.objects.filter(email__iexact="olena@example.com").count() == 1


def test_it_refuses_a_contact_without_email(contact, alice):
    contact.email = ""
    contact.save()
    with pytest.raises(ContactError, match="has no email address"):
        contact_invite(contact=contact, actor=alice)
    assert not User.objects.filter(contacts=contact).exists()


def test_it_refuses_a_login_used_by_another_contact(contact, project, alice):
    taken = UserFactory(email="olena@example.com")
    ContactFactory(project=project, name="Other Olena", email="", user=taken)

    with pytest.raises(ContactError, match=r"already belongs to another contact.*Other Olena"):
        contact_invite(contact=contact, actor=alice)
    contact.refresh_from_db()
    assert contact.user is None
    assert mail.outbox == []


# The staff view --------------------------------------------------------------------------


def invite_url(contact):
    return reverse("staff:contact_invite", args=[contact.project.slug, contact.public_id])


def test_staff_post_sends_and_returns_to_the_contact_card(
    client, contact, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(contact))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "staff:contact", args=[contact.project.slug, contact.public_id]
    )
    assert len(mail.outbox) == 1
    notices = messages_of(response)
    assert notices == [
        "Invitation sent to olena@example.com: a link to set a password for the portal."
    ]


def test_a_manager_may_invite(client, contact, project):
    manager = MembershipFactory(project=project, role="manager").user
    client.force_login(manager)
    assert client.post(invite_url(contact)).status_code == 302
    contact.refresh_from_db()
    assert contact.user is not None


def test_a_refusal_is_shown(client, contact, alice):
    contact.email = ""
    contact.save()
    client.force_login(alice)

    response = client.post(invite_url(contact))

    notices = messages_of(response)
    assert notices == [
        "Олена Коваленко has no email address, so there is nowhere to send an invitation."
    ]


def test_it_rejects_get(client, contact, alice):
    client.force_login(alice)
    assert client.get(invite_url(contact)).status_code == 405
    contact.refresh_from_db()
    assert contact.user is None


def test_staff_of_another_school_get_404(client, contact, charlie):
    client.force_login(charlie)
    assert client.post(invite_url(contact)).status_code == 404
    contact.refresh_from_db()
    assert contact.user is None


def test_a_contact_of_another_school_is_404(client, alice, project):
    stranger = ContactFactory()
    client.force_login(alice)
    url = reverse("staff:contact_invite", args=[project.slug, stranger.public_id])
    assert client.post(url).status_code == 404
    stranger.refresh_from_db()
    assert stranger.user is None
    assert mail.outbox == []
