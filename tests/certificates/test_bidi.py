"""Bidirectional controls in names: what is printed reads in the order it was typed."""

import io

import pytest
from pypdf import PdfReader

from certificates import defaults, rendering
from certificates.services import certificate_issue, certificate_pdf
from contacts.services import ContactError, contact_confirm_print_name, contact_rename
from lms.text import strip_bidi_controls
from tests.factories import AccessFactory, ContactFactory

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
CONTROLS = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings, overrides, pop
    "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
    "\u200e", "\u200f", "\u061c",  # marks
]  # fmt: skip


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("control", CONTROLS)
def test_every_bidi_control_is_stripped(control):
    assert strip_bidi_controls(f"Olena {control}evil{control} K") == "Olena evil K"


def test_letters_of_right_to_left_scripts_stay():
    assert strip_bidi_controls("שלום مرحبا Олена") == "שלום مرحبا Олена"


def test_a_name_with_an_override_prints_in_logical_order(project, course, alice):
    contact = ContactFactory(project=project, name=f"Olena {RLO}evil")
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    text = pdf_text(certificate_pdf(certificate=certificate))
    assert "Olena evil" in text
    assert "live" not in text


def test_the_override_would_reverse_the_name_if_printed(project):
    # The control: the same name in the staff's own HTML (not a placeholder value) is printed
    # as typed, override included, and reads reversed, so the test above can fail.
    pdf = rendering.render_pdf(
        school_id=project.id,
        html=f"<p>Olena {RLO}evil</p>",
        css="",
        page_size="A4",
        orientation="landscape",
        values=defaults.SAMPLE_VALUES,
    )
    assert "live" in pdf_text(pdf)


def test_placeholder_values_lose_their_controls():
    values = {**defaults.SAMPLE_VALUES, "participant_name": f"{RLO}evil", "course_title": "\u2067x"}
    html = rendering.fill_placeholders("<p>{{ participant_name }}|{{ course_title }}</p>", values)
    assert html == "<p>evil|x</p>"


def test_the_name_to_print_is_stored_without_controls(contact):
    contact_confirm_print_name(contact=contact, print_name=f"  Olena {RLO}evil\u2069 ")
    contact.refresh_from_db()
    assert contact.print_name == "Olena evil"


def test_a_name_to_print_of_controls_only_is_refused(contact):
    with pytest.raises(ContactError, match="Enter your name"):
        contact_confirm_print_name(contact=contact, print_name=f"{RLO}\u200f")


def test_staff_renaming_stores_names_without_controls(contact, alice):
    contact_rename(contact=contact, actor=alice, name=f"Olena {RLO}evil", print_name=f"{RLO}K")
    contact.refresh_from_db()
    assert (contact.name, contact.print_name) == ("Olena evil", "K")
