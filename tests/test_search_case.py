"""Case-insensitive search in any alphabet, on SQLite as on PostgreSQL."""

import pytest

from contacts.models import Contact
from contacts.selectors import contact_list
from tests.factories import ContactFactory


@pytest.mark.parametrize("query", ["коваленко", "КОВАЛЕНКО", "кОвАлЕнКо", "олена ков", "Олена"])
def test_cyrillic_names_are_found_in_any_case(project, contact, query):
    ContactFactory(project=project, name="Андрій Шевченко")
    assert list(contact_list(project=project, query=query)) == [contact]


def test_latin_and_accented_names_too(project):
    zoe = ContactFactory(project=project, name="Zoë Dubois")
    assert list(contact_list(project=project, query="ZOË")) == [zoe]


@pytest.mark.parametrize(("query", "found"), [("50%", True), ("5_%", False), ("a_b", False)])
def test_like_wildcards_typed_by_a_person_are_literal(project, query, found):
    ContactFactory(project=project, name="Discount 50% group")
    assert Contact.objects.filter(name__icontains=query).exists() is found


def test_no_match_is_no_match(project, contact):
    assert not contact_list(project=project, query="Шевченко").exists()
