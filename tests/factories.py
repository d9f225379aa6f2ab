import factory
from django.utils import timezone

from accounts.models import Membership, Project, User
from certificates import defaults
from certificates.models import Certificate, CertificateTemplate, CourseCertificate
from certificates.services import template_current_revision
from contacts.models import Contact
from courses.models import Access, Course, Lesson


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    slug = factory.Sequence(lambda n: f"school-{n}")
    name = factory.Sequence(lambda n: f"School {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.com")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Course {n}")


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n}")


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateTemplate

    project = factory.SubFactory(ProjectFactory)
    name = "Classic"
    html = defaults.CLASSIC_HTML
    css = defaults.CLASSIC_CSS


class CourseCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseCertificate

    course = factory.SubFactory(CourseFactory)
    project = factory.SelfAttribute("course.project")
    title = "Certificate of Completion"
    template = factory.SubFactory(TemplateFactory, project=factory.SelfAttribute("..project"))
    number_prefix = "PY"


class AccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Access

    contact = factory.SubFactory(ContactFactory)
    course = factory.SubFactory(CourseFactory, project=factory.SelfAttribute("..contact.project"))
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))


def course_with_certificate(project, *, lessons=3, test=False, **certificate_fields):
    """A course of `lessons` lessons (the last a test with pass score 60 when `test`)."""
    course = CourseFactory(project=project)
    for position in range(1, lessons + 1):
        is_test = test and position == lessons
        LessonFactory(
            course=course, position=position, is_test=is_test, pass_score=60 if is_test else None
        )
    CourseCertificateFactory(course=course, project=project, **certificate_fields)
    return course


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate row written directly, for lists and reports; issuing goes via services.

    Pass `course_certificate` to place it in a project; the contact defaults to a new one there.
    """

    class Meta:
        model = Certificate

    course_certificate = factory.SubFactory(CourseCertificateFactory)
    project = factory.SelfAttribute("course_certificate.project")
    contact = factory.LazyAttribute(lambda o: ContactFactory(project=o.project))
    template_revision = factory.LazyAttribute(
        lambda o: template_current_revision(o.course_certificate.template)
    )
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"PY-2026-{o.sequence:06}")
    code = factory.Sequence(lambda n: f"TESTCODE{n:08}")
    issued_at = factory.LazyFunction(timezone.now)
    method = "automatic"
    printed_name = factory.LazyAttribute(lambda o: o.contact.name_to_print)
    snapshot = factory.LazyAttribute(lambda o: {"participant_name": o.printed_name})
