import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from certificates.models import NumberSequence
from certificates.numbering import format_number, next_sequence, validate_number_format
from certificates.services import certificate_delete, certificate_issue
from tests.factories import AccessFactory, ContactFactory, ProjectFactory, course_with_certificate

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    "number_format",
    ["{prefix}-{year}-{seq:06}", "{seq}", "CERT/{year}/{seq:04d}", "{prefix}{seq:08}"],
)
def test_valid_formats(number_format):
    validate_number_format(number_format)


@pytest.mark.parametrize(
    ("number_format", "message"),
    [
        ("{prefix}-{month}-{seq}", "Unknown field in the number format: {month}"),
        ("{prefix}-{}-{seq}", "Unknown field in the number format: {}"),
        ("{seq.real}", "Unknown field"),
        ("{prefix}-{year}", "must contain {seq}"),
        ("no fields at all", "must contain {seq}"),
        ("{seq:zz}", "The number format is not valid"),
        ("{prefix:d}-{seq}", "The number format is not valid"),
        ("{prefix}-{seq", "The number format is not valid"),
        ("{year}{seq:99}", "longer than 80 characters"),
        ("{prefix}{seq:70}", "longer than 80 characters"),
    ],
)
def test_invalid_formats_are_refused_with_a_reason(number_format, message):
    with pytest.raises(ValidationError) as info:
        validate_number_format(number_format)
    assert message in " ".join(info.value.messages)


def test_formatting_with_and_without_prefix():
    assert format_number("{prefix}-{year}-{seq:06}", prefix="PY", year=2026, seq=123) == (
        "PY-2026-000123"
    )
    # An empty prefix takes its separator with it.
    assert format_number("{prefix}-{year}-{seq:06}", prefix="", year=2026, seq=7) == "2026-000007"
    assert format_number("{seq}", prefix="X", year=2026, seq=1234567) == "1234567"


@pytest.mark.django_db(transaction=True)
def test_next_sequence_needs_the_issuing_transaction():
    project = ProjectFactory()
    with pytest.raises(AssertionError, match="needs a transaction"):
        next_sequence(project.id)
    assert not NumberSequence.objects.exists()


def test_next_sequence_counts_per_project(project):
    other = ProjectFactory()
    with transaction.atomic():
        taken = [next_sequence(project.id) for _ in range(3)]
        taken.append(next_sequence(other.id))
    assert taken == [1, 2, 3, 1]
    assert NumberSequence.objects.get(project=project).last_value == 3


def issue_to_new_contact(course, actor):
    contact = ContactFactory(project=course.project)
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=actor, force=True)
    return certificate


def test_a_deleted_certificate_number_is_never_reused(project, course, alice, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 14, 10, 0, tzinfo=KYIV), tick=False)
    first = issue_to_new_contact(course, alice)
    second = issue_to_new_contact(course, alice)
    certificate_delete(certificate=second, actor=alice, reason="mistake")
    third = issue_to_new_contact(course, alice)
    assert [first.number, second.number, third.number] == [
        "PY-2026-000001",
        "PY-2026-000002",
        "PY-2026-000003",
    ]
    # Reissuing the deleted one gives it a new number too.
    again, created = certificate_issue(
        contact=second.contact, course=course, actor=alice, force=True
    )
    assert created and again.number == "PY-2026-000004"


def test_courses_of_one_project_share_its_sequence(project, course, alice):
    web = course_with_certificate(project, number_prefix="WD", number_format="{prefix}{seq:03}")
    a = issue_to_new_contact(course, alice)
    b = issue_to_new_contact(web, alice)
    assert (a.sequence, b.sequence) == (1, 2)
    assert b.number == "WD002"


def test_two_projects_have_independent_sequences(project, course, alice, charlie):
    other_project = charlie.memberships.get().project
    other_course = course_with_certificate(other_project, number_prefix="PY")
    first = issue_to_new_contact(course, alice)
    second = issue_to_new_contact(course, alice)
    elsewhere = issue_to_new_contact(other_course, charlie)
    assert (first.sequence, second.sequence, elsewhere.sequence) == (1, 2, 1)
    # Same printed number in two schools is fine: uniqueness is per project.
    assert elsewhere.number == first.number


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [
        ("{prefix}-{year}-{seq:06}", "2026-000007"),
        ("{year}-{prefix}-{seq:06}", "2026-000007"),
        ("{seq}-{prefix}", "7"),
        ("{year}/{seq:04}{prefix}", "2026/0007"),
    ],
)
def test_an_empty_prefix_takes_one_separator_with_it(number_format, expected):
    assert format_number(number_format, prefix="", year=2026, seq=7) == expected
