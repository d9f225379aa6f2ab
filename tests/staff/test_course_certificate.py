import io

import pytest
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from accounts.models import Membership
from certificates.models import CourseCertificate
from certificates.services import (
    CertificateError,
    certificate_delete,
    certificate_issue,
    course_certificate_save,
)
from tests.factories import (
    CourseFactory,
    LessonFactory,
    MembershipFactory,
    TemplateFactory,
    course_with_certificate,
)


@pytest.fixture
def bare_course(project):
    """A course with three lessons (the last a test) and no certificate yet."""
    course = CourseFactory(project=project, title="Web Design Basics")
    for position in (1, 2, 3):
        LessonFactory(
            course=course,
            position=position,
            title=f"Lesson {position}",
            is_test=position == 3,
            pass_score=60 if position == 3 else None,
        )
    return course


@pytest.fixture
def template(project):
    return TemplateFactory(project=project, name="Modern")


def settings_url(course):
    return reverse("staff:course_certificate", args=[course.project.slug, course.public_id])


def form_data(template, **overrides):
    data = {
        "template": template.pk,
        "title": "Web Design Certificate",
        "number_prefix": "WD",
        "number_format": "{prefix}-{year}-{seq:06}",
        "auto_issue": "on",
        "completion": "all",
        "min_percent": "100",
        "min_test_score": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_page_offers_this_projects_templates_and_lessons(
    staff_client, bare_course, template
):
    TemplateFactory(name="Other school's design")  # another project
    response = staff_client.get(settings_url(bare_course))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["template"].queryset) == [template]
    assert [lesson.title for lesson in form.fields["required_lessons"].queryset] == [
        "Lesson 1",
        "Lesson 2",
        "Lesson 3",
    ]
    assert "Example:" in response.content.decode()


def test_saves_all_lessons_condition(staff_client, bare_course, template):
    response = staff_client.post(settings_url(bare_course), form_data(template))
    assert response.status_code == 302
    saved = CourseCertificate.objects.get(course=bare_course)
    assert (saved.title, saved.template, saved.number_prefix) == (
        "Web Design Certificate",
        template,
        "WD",
    )
    assert (saved.completion, saved.min_percent, saved.auto_issue) == ("all", 100, True)
    assert saved.min_test_score is None
    assert list(saved.required_lessons.all()) == []


def test_saves_percent_with_required_lessons_and_test_score(staff_client, bare_course, template):
    lesson_1, _lesson_2, test = bare_course.lessons.order_by("position")
    data = form_data(
        template,
        completion="percent",
        min_percent="60",
        min_test_score="75",
        auto_issue=None,
        required_lessons=[lesson_1.pk, test.pk],
    )
    response = staff_client.post(settings_url(bare_course), data)
    assert response.status_code == 302
    saved = CourseCertificate.objects.get(course=bare_course)
    assert (saved.completion, saved.min_percent, saved.min_test_score) == ("percent", 60, 75)
    assert saved.auto_issue is False
    assert set(saved.required_lessons.all()) == {lesson_1, test}


def test_changing_settings_updates_the_one_configuration(staff_client, course, project):
    template = course.certificate.template
    lesson = course.lessons.first()
    staff_client.post(
        settings_url(course), form_data(template, required_lessons=[lesson.pk], title="New name")
    )
    staff_client.post(settings_url(course), form_data(template, title="Newer name"))
    assert CourseCertificate.objects.filter(course=course).count() == 1
    saved = CourseCertificate.objects.get(course=course)
    assert saved.title == "Newer name"
    assert list(saved.required_lessons.all()) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"number_format": "{prefix}-{year}"}, "number_format", "must contain {seq}"),
        ({"number_format": "{prefix}-{secret}-{seq}"}, "number_format", "Unknown field"),
        ({"number_format": "{seq:06"}, "number_format", "not valid"),
        ({"completion": "percent", "min_percent": "101"}, "min_percent", "100"),
        ({"completion": "percent", "min_percent": ""}, "min_percent", "minimum share"),
        ({"min_test_score": "150"}, "min_test_score", "100"),
        ({"title": ""}, "title", "required"),
        ({"completion": "whenever"}, "completion", "valid choice"),
    ],
)
def test_refuses_bad_input_next_to_the_field(
    staff_client, bare_course, template, overrides, field, message
):
    response = staff_client.post(settings_url(bare_course), form_data(template, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert f'<div class="invalid-feedback d-block">{escape(errors[0])}</div>' in (
        response.content.decode()
    )
    assert not CourseCertificate.objects.filter(course=bare_course).exists()


def test_refuses_a_required_lesson_of_another_course(staff_client, bare_course, template, course):
    foreign_lesson = course.lessons.first()
    response = staff_client.post(
        settings_url(bare_course), form_data(template, required_lessons=[foreign_lesson.pk])
    )
    assert response.status_code == 200
    assert "required_lessons" in response.context["form"].errors
    assert not CourseCertificate.objects.filter(course=bare_course).exists()


def test_refuses_a_template_of_another_project(staff_client, bare_course):
    foreign = TemplateFactory(name="Foreign")
    response = staff_client.post(settings_url(bare_course), form_data(foreign))
    assert "template" in response.context["form"].errors
    assert not CourseCertificate.objects.filter(course=bare_course).exists()


def test_service_refuses_what_the_form_would(bare_course, template, course):
    with pytest.raises(CertificateError, match="lessons of this course"):
        course_certificate_save(
            course=bare_course,
            template=template,
            title="X",
            required_lessons=[course.lessons.first()],
        )
    with pytest.raises(CertificateError, match="another school"):
        course_certificate_save(course=bare_course, template=TemplateFactory(), title="X")
    with pytest.raises(CertificateError, match="1 to 100"):
        course_certificate_save(
            course=bare_course, template=template, title="X", completion="percent", min_percent=0
        )
    with pytest.raises(CertificateError, match=r"\{seq\}"):
        course_certificate_save(
            course=bare_course, template=template, title="X", number_format="{year}"
        )
    assert not CourseCertificate.objects.filter(course=bare_course).exists()


def test_all_lessons_condition_stores_100_percent(bare_course, template):
    saved = course_certificate_save(
        course=bare_course, template=template, title="X", completion="all", min_percent=40
    )
    assert saved.min_percent == 100


def test_manager_gets_404_on_settings(client, project, course):
    manager = MembershipFactory(project=project, role=Membership.Role.MANAGER).user
    client.force_login(manager)
    template = course.certificate.template
    assert client.get(settings_url(course)).status_code == 404
    response = client.post(settings_url(course), form_data(template, title="Manager's"))
    assert response.status_code == 404
    assert CourseCertificate.objects.get(course=course).title == "Certificate of Completion"
    remove = reverse("staff:course_certificate_remove", args=[project.slug, course.public_id])
    assert client.post(remove).status_code == 404
    assert CourseCertificate.objects.filter(course=course).exists()


def test_foreign_project_is_404(client, charlie, project, course):
    client.force_login(charlie)
    assert client.get(settings_url(course)).status_code == 404
    # charlie's own project in the URL does not open a course of another project either
    own = charlie.memberships.get().project
    url = reverse("staff:course_certificate", args=[own.slug, course.public_id])
    assert client.get(url).status_code == 404


def test_get_never_changes_data(staff_client, project, course):
    before = CourseCertificate.objects.get(course=course)
    remove = reverse("staff:course_certificate_remove", args=[project.slug, course.public_id])
    preview = reverse("staff:course_certificate_preview", args=[project.slug, course.public_id])
    query = "?title=Changed&completion=percent&min_percent=10&template=1"
    assert staff_client.get(settings_url(course) + query).status_code == 200
    response = staff_client.get(remove)
    assert response.status_code == 200
    assert "Remove certificate" in response.content.decode()
    assert staff_client.get(preview).status_code == 405
    after = CourseCertificate.objects.get(course=course)
    assert (after.title, after.completion, after.min_percent) == (
        before.title,
        before.completion,
        before.min_percent,
    )


def test_remove_without_issued_certificates(staff_client, project, course):
    remove = reverse("staff:course_certificate_remove", args=[project.slug, course.public_id])
    response = staff_client.post(remove, follow=True)
    assert not CourseCertificate.objects.filter(course=course).exists()
    assert "was removed" in response.content.decode()


def test_remove_is_refused_once_a_certificate_was_issued(
    staff_client, project, course, access, contact, alice
):
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    certificate_delete(certificate=certificate, actor=alice)  # even a deleted one counts
    remove = reverse("staff:course_certificate_remove", args=[project.slug, course.public_id])
    response = staff_client.post(remove, follow=True)
    assert CourseCertificate.objects.filter(course=course).exists()
    assert "cannot be removed" in response.content.decode()
    assert "Turn automatic issuance off instead" in response.content.decode()


def test_number_example_follows_the_typed_format(staff_client, project, course):
    url = reverse("staff:course_number_example", args=[project.slug, course.public_id])
    response = staff_client.get(url, {"number_prefix": "WD", "number_format": "{prefix}/{seq:04}"})
    assert "WD/0123" in response.content.decode()
    response = staff_client.get(url, {"number_prefix": "WD", "number_format": "{prefix}"})
    assert "must contain {seq}" in response.content.decode()


def test_preview_prints_the_selected_template_with_this_course(staff_client, project, course):
    url = reverse("staff:course_certificate_preview", args=[project.slug, course.public_id])
    response = staff_client.post(url, form_data(course.certificate.template))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(response.content)).convert("L")
    assert image.getextrema()[0] < 100  # dark text on the light page


def test_preview_without_a_template_explains_itself(staff_client, project):
    course = course_with_certificate(project)
    url = reverse("staff:course_certificate_preview", args=[project.slug, course.public_id])
    response = staff_client.post(url, {"title": "X"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Choose a template" in response.content.decode()


@pytest.mark.parametrize("number_format", ["{seq:0999999999}", "{prefix}-{seq:{seq}}"])
def test_refuses_number_widths_that_would_build_huge_numbers(
    staff_client, bare_course, template, number_format
):
    response = staff_client.post(
        settings_url(bare_course), form_data(template, number_format=number_format)
    )
    assert "at most 99 characters" in " ".join(response.context["form"].errors["number_format"])
    with pytest.raises(CertificateError, match="at most 99"):
        course_certificate_save(
            course=bare_course, template=template, title="X", number_format=number_format
        )
    assert not CourseCertificate.objects.filter(course=bare_course).exists()
