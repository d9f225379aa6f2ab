"""A bulk reissue, the way an admin does it: the course page, the confirmation, the summary."""

from django.core import mail
from playwright.sync_api import expect

from certificates.models import Certificate
from certificates.services import certificate_issue, template_save
from courses.services import access_grant
from tests.factories import (
    ContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    course_with_certificate,
)

from .conftest import log_in


def test_a_bulk_reissue_is_confirmed_first_and_emails_nobody_by_default(page, shot):
    project = ProjectFactory(name="Demo School", slug="demo")
    alice = MembershipFactory(project=project, user=UserFactory(email="alice@example.com")).user
    course = course_with_certificate(project, lessons=1)
    for name in ("Anna Kowalska", "Bohdan Lysenko", "Chloe Martin"):
        contact = ContactFactory(project=project, name=name)
        access_grant(contact=contact, course=course)
        certificate_issue(contact=contact, course=course, actor=alice, force=True)
    template = course.certificate.template
    template.css += "\nh1 { color: #036; }"
    template_save(template=template)
    mail.outbox.clear()

    log_in(page, "alice@example.com")
    page.goto(f"/staff/demo/courses/{course.public_id}/")
    page.get_by_role("button", name="Reissue with the current template…").click()

    heading = page.get_by_role("heading", name="Reissue 3 certificates with the current template?")
    expect(heading).to_be_visible()
    for name in ("Anna Kowalska", "Bohdan Lysenko", "Chloe Martin"):
        expect(page.get_by_role("listitem").filter(has_text=name)).to_be_visible()
    notify = page.get_by_label("Email each student their certificate")
    expect(notify).not_to_be_checked()
    assert (
        Certificate.objects.live().count() == 3
        and not Certificate.objects.filter(deleted_at__isnull=False).exists()
    )
    shot(page, "1-confirm")

    page.get_by_role("button", name="Reissue 3 certificates").click()
    expect(page.get_by_text("3 certificates were reissued.")).to_be_visible()
    expect(page.get_by_text("No email was sent to students.")).to_be_visible()
    shot(page, "2-summary")
    assert Certificate.objects.live().filter(template_revision__version=2).count() == 3
    assert mail.outbox == []

    page.get_by_role("link", name="The course's certificates in the report").click()
    expect(page.get_by_role("heading", name="Certificates report")).to_be_visible()
