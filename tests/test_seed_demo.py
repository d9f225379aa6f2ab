"""`manage.py seed_demo`: the documented demo school, safe to run twice, never in production."""

from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import Membership, Project, User
from certificates.models import Certificate, CertificateEvent, CertificateTemplate
from certificates.selectors import State, contact_products
from contacts.models import Contact
from courses.models import Access, Course, Lesson, LessonProgress

MODELS = [
    Project,
    User,
    Membership,
    Contact,
    Course,
    Lesson,
    Access,
    LessonProgress,
    CertificateTemplate,
    Certificate,
    CertificateEvent,
]


@pytest.fixture
def seed(db, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True

    def run():
        # The command commits, then automatic issuance runs after the commit, as in real use.
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", verbosity=0)

    return run


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo")
    assert not Project.objects.exists()
    assert not User.objects.exists()


def test_the_documented_logins_work(seed):
    seed()
    project = Project.objects.get(slug="demo")
    assert project.name == "Demo School"
    admin = authenticate(email="admin@demo.local", password="demo-admin")
    assert admin is not None
    assert Membership.objects.get(project=project, user=admin).role == Membership.Role.OWNER
    manager = authenticate(email="manager@demo.local", password="demo-manager")
    assert Membership.objects.get(project=project, user=manager).role == "manager"
    student = authenticate(email="student@demo.local", password="demo-student")
    assert Contact.objects.get(user=student).name == "Олена Коваленко"
    assert Course.objects.filter(project=project).count() == 3
    assert CertificateTemplate.objects.filter(project=project).count() == 2


def test_olena_has_one_certificate_issued_and_one_course_pending(seed):
    seed()
    olena = Contact.objects.get(email="student@demo.local")
    products = {p.course.title: p for p in contact_products(contact=olena)}

    issued = products["Python for Data Analysis"].status
    assert issued.state == State.ISSUED
    assert issued.certificate.method == Certificate.Method.AUTOMATIC
    assert issued.certificate.issued_by is None
    assert issued.certificate.pdf.name  # rendered

    pending = products["Web Design Basics"]
    assert pending.status.state == State.PENDING
    assert pending.evaluation.missing == ("1 of 5 lessons left",)
    lessons = list(pending.course.lessons.order_by("position"))
    done = set(LessonProgress.objects.filter(contact=olena).values_list("lesson_id", flat=True))
    left = [lesson for lesson in lessons if lesson.id not in done]
    assert left == [lessons[-1]]  # only the last lesson is left
    assert left[0].is_test is False  # and it is an ordinary lesson, one click away

    assert products["English Conversation Club"].status.state == State.NOT_CONFIGURED


def test_other_contacts_cover_every_documented_case(seed):
    seed()
    others = Contact.objects.exclude(email="student@demo.local")
    assert others.count() >= 20
    states = Counter()
    access_states = Counter()
    for contact in others:
        for product in contact_products(contact=contact):
            states[product.status.state] += 1
            access_states[product.access.status()] += 1
    assert states[State.PENDING] >= 3  # pending with active access
    assert states[State.ISSUED] >= 5  # completed with a certificate
    assert states[State.NOT_CONFIGURED] >= 1  # a course without a certificate configured
    assert states[State.NO_ACCESS] >= 3
    assert access_states[Access.Status.EXPIRED] >= 3
    assert access_states[Access.Status.PAUSED] >= 1

    deleted = Certificate.objects.exclude(deleted_at=None).get()
    assert deleted.delete_reason and deleted.deleted_by.email == "admin@demo.local"
    assert deleted.replaced_by.deleted_at is None  # deleted, then reissued
    assert Certificate.objects.filter(forced=True, method="manual").count() == 1
    assert Certificate.objects.filter(method="automatic").count() >= 7


def test_running_it_twice_changes_nothing(seed):
    seed()
    first = counts()
    seed()
    assert counts() == first
    assert first["Contact"] >= 21
