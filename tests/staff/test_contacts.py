import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from certificates.services import certificate_delete, certificate_issue
from tests.factories import AccessFactory, ContactFactory, ProjectFactory, UserFactory
from tests.helpers import page_queries


def contacts_url(project, **params):
    url = reverse("staff:contacts", args=[project.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def card_url(contact):
    return reverse("staff:contact", args=[contact.project.slug, contact.public_id])


def test_it_lists_the_projects_contacts_only(staff_client, project, contact):
    ContactFactory(project=ProjectFactory(), name="Someone Elsewhere")
    response = staff_client.get(contacts_url(project))
    assert response.status_code == 200
    assert "Олена Коваленко" in response.content.decode()
    assert "olena@example.com" in response.content.decode()
    assert "Someone Elsewhere" not in response.content.decode()


def test_each_row_links_to_the_card(staff_client, project, contact):
    response = staff_client.get(contacts_url(project))
    assert f'href="{card_url(contact)}"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "Коваленко",
        "коваленко",
        "ОЛЕНА",
        "олена коваленко",
        "olena@exa",
        "EXAMPLE.COM",
        "+380 67 123",
        "0671234567",
        "067-123-45-67",
    ],
)
def test_it_searches_by_name_email_or_phone(staff_client, project, contact, query):
    contact.phone = "+380 67 123 4567"
    contact.save()
    ContactFactory(project=project, name="Marta Nowak", email="marta@test.org", phone="+48 600")
    page = list(staff_client.get(contacts_url(project), {"q": query}).context["page"])
    assert page == [contact]


def test_a_search_without_matches_says_so(staff_client, project, contact):
    response = staff_client.get(contacts_url(project), {"q": "nobody"})
    assert list(response.context["page"]) == []
    assert "No contacts match “nobody”." in response.content.decode()


def test_it_paginates_and_keeps_the_search(staff_client, project):
    for n in range(30):
        ContactFactory(project=project, name=f"Student {n:02d}")
    first = staff_client.get(contacts_url(project), {"q": "Student"})
    assert len(first.context["page"]) == 25
    assert "?q=Student&amp;page=2" in first.content.decode()
    second = staff_client.get(contacts_url(project), {"q": "Student", "page": 2})
    assert [c.name for c in second.context["page"]] == [f"Student {n}" for n in range(25, 30)]
    assert "30 contacts" in second.content.decode()


def test_certificates_count_counts_live_certificates(staff_client, project, contact, course, alice):
    AccessFactory(contact=contact, course=course)
    first, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=first, actor=alice)
    certificate_issue(contact=contact, course=course, actor=alice, force=True)
    (row,) = staff_client.get(contacts_url(project)).context["page"]
    assert row.certificates_count == 1


def test_it_requires_login(client, project):
    response = client.get(contacts_url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_makes_the_same_queries_for_1_and_50_rows(staff_client, project, course, alice):
    first = ContactFactory(project=project)
    AccessFactory(contact=first, course=course)
    certificate_issue(contact=first, course=course, actor=alice, force=True)
    queries, rows = page_queries(staff_client, contacts_url(project), "page")
    assert rows == 1
    for _ in range(49):
        contact = ContactFactory(project=project)
        AccessFactory(contact=contact, course=course)
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    # one page of the fifty
    assert page_queries(staff_client, contacts_url(project), "page") == (queries, 25)


# The Info tab ------------------------------------------------------------------------------


def test_info_shows_the_contact_and_a_linked_login(staff_client, contact):
    contact.phone = "+380 67 123 4567"
    contact.user = UserFactory(email="olena.login@example.com")
    contact.print_name = "Olena Kovalenko"
    contact.print_name_confirmed_at = timezone.now()
    contact.save()
    body = staff_client.get(card_url(contact)).content.decode()
    assert "+380 67 123 4567" in body
    assert "linked" in body and "olena.login@example.com" in body
    assert "Olena Kovalenko" in body
    assert "confirmed by the participant on" in body


def test_info_shows_an_unlinked_login_and_an_unconfirmed_name(staff_client, contact):
    body = staff_client.get(card_url(contact)).content.decode()
    assert "not linked" in body
    assert "not confirmed by the participant" in body
    assert "same as the name" in body


def test_the_invite_button_shows_only_when_its_url_exists(staff_client, contact):
    body = staff_client.get(card_url(contact)).content.decode()
    try:
        invite_url = reverse("staff:contact_invite", args=[contact.project.slug, contact.public_id])
    except NoReverseMatch:
        assert "Invite to the portal" not in body
    else:
        assert f'action="{invite_url}"' in body


def test_a_contact_of_another_project_is_404(staff_client):
    stranger = ContactFactory(project=ProjectFactory())
    url = reverse("staff:contact", args=["demo", stranger.public_id])
    assert staff_client.get(url).status_code == 404


def test_tab_parameter_leads_to_the_tab(staff_client, contact):
    response = staff_client.get(card_url(contact), {"tab": "products"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "staff:contact_products", args=[contact.project.slug, contact.public_id]
    )
