"""Concurrent issuers on real PostgreSQL: each thread has its own connection and transaction."""

import threading

import pytest
from django.db import connection, connections

from certificates.models import Certificate, CertificateEvent, NumberSequence
from certificates.services import certificate_issue
from tests.factories import (
    AccessFactory,
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    course_with_certificate,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def run_at_once(work, arguments):
    """Run work(argument) in one thread each, released together; return results or errors."""
    barrier = threading.Barrier(len(arguments))
    results, errors = [], []

    def target(argument):
        try:
            barrier.wait(timeout=10)
            results.append(work(argument))
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an issuer hung"
    return results, errors


@pytest.fixture
def school():
    assert connection.vendor == "postgresql"
    project = ProjectFactory()
    staff = MembershipFactory(project=project, user=UserFactory()).user
    course = course_with_certificate(project)
    return project, staff, course


def test_many_issuers_of_the_same_certificate_make_exactly_one(school):
    project, staff, course = school
    contact = ContactFactory(project=project)
    AccessFactory(contact=contact, course=course)

    results, errors = run_at_once(
        lambda _: certificate_issue(contact=contact, course=course, actor=staff, force=True),
        range(THREADS),
    )
    assert errors == []
    assert Certificate.objects.count() == 1
    certificate = Certificate.objects.get()
    assert {r[0].pk for r in results} == {certificate.pk}
    assert sorted(created for _cert, created in results) == [False] * (THREADS - 1) + [True]
    assert CertificateEvent.objects.count() == 1
    assert NumberSequence.objects.get(project=project).last_value == 1


def test_many_issuers_for_different_contacts_get_consecutive_numbers(school):
    project, staff, course = school
    contacts = [ContactFactory(project=project) for _ in range(THREADS)]
    for contact in contacts:
        AccessFactory(contact=contact, course=course)

    results, errors = run_at_once(
        lambda contact: certificate_issue(contact=contact, course=course, actor=staff, force=True),
        contacts,
    )
    assert errors == []
    assert all(created for _cert, created in results)
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS + 1))
    numbers = set(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == THREADS
    assert set(Certificate.objects.values_list("contact_id", flat=True)) == {c.id for c in contacts}


def test_the_first_certificates_of_a_new_school_race_for_the_counter(school):
    # No counter row yet: every thread tries to create it; one wins, the others queue on it.
    project, staff, course = school
    assert not NumberSequence.objects.filter(project=project).exists()
    contacts = [ContactFactory(project=project) for _ in range(4)]
    for contact in contacts:
        AccessFactory(contact=contact, course=course)
    _results, errors = run_at_once(
        lambda contact: certificate_issue(contact=contact, course=course, actor=staff, force=True),
        contacts,
    )
    assert errors == []
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]
