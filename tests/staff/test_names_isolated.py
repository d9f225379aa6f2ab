"""A right-to-left name is set apart with <bdi> wherever a page shows a person's name, so it
does not drag the punctuation and numbers of the sentence around it to its side."""

import pytest
from django.urls import reverse

from certificates.services import certificate_issue
from contacts.templatetags.names import bdi
from tests.factories import UserFactory

RTL = "نور الهدى"


@pytest.fixture
def rtl_certificate(access, contact, course, alice):
    contact.name = RTL
    contact.print_name = "Nour <Al-Huda>"  # escaped inside the <bdi>, never markup
    contact.user = UserFactory(email="nour@example.com")
    contact.save()
    return certificate_issue(contact=contact, course=course, actor=alice, force=True)[0]


def page(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_filter_escapes_and_isolates():
    assert bdi("<b>x</b>") == "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>"
    assert bdi(None) == "<bdi></bdi>"


def test_staff_pages_isolate_the_contact_and_printed_names(
    staff_client, project, contact, rtl_certificate
):
    slug, contact_id = project.slug, contact.public_id
    printed = "<bdi>Nour &lt;Al-Huda&gt;</bdi>"
    contacts = page(staff_client, "staff:contacts", slug)
    assert f">{'<bdi>' + RTL + '</bdi>'}</a>" in contacts

    products = page(staff_client, "staff:contact_products", slug, contact_id)
    assert f'<h1 class="h3 mb-0"><bdi>{RTL}</bdi></h1>' in products
    assert f'aria-current="page"><bdi>{RTL}</bdi></li>' in products
    assert f'<dd class="col-sm-8 col-xl-9">{printed}</dd>' in products
    assert "manual, by <bdi>alice@example.com</bdi>" in products

    info = page(staff_client, "staff:contact", slug, contact_id)
    assert f"<bdi>{RTL}</bdi></dd>" in info and printed in info

    history = page(staff_client, "staff:contact_history", slug, contact_id)
    assert f"printed for {printed}" in history

    report = page(staff_client, "staff:certificates_report", slug)
    assert f'hx-boost="false"><bdi>{RTL}</bdi></a>' in report
    assert f"printed: {printed}" in report


def test_my_certificates_and_the_verify_page_isolate_the_printed_name(
    client, contact, rtl_certificate
):
    client.force_login(contact.user)
    mine = page(client, "portal:certificates")
    assert "printed for <bdi>Nour &lt;Al-Huda&gt;</bdi>" in mine
    verify = page(client, "public:verify", rtl_certificate.code)
    assert '<dd class="col-sm-8 fs-5"><bdi>Nour &lt;Al-Huda&gt;</bdi></dd>' in verify
