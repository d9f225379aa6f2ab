"""The role policy, pinned for every staff URL: who gets what answer.

Managers do the daily work: contacts and the contact card (names too), Issue now, ×, Reissue,
PDFs, the report and its exports, the course pages, the template list (read only) and a bulk
job's progress. Owners and admins also configure: the school's settings, templates,
certificate settings and starting bulk jobs. Anyone who is not staff of the school in the URL
gets 404 (never 403: it would say the school exists); anonymous visitors are sent to log in.
The README's "Roles" table says the same.

Every URL of the `staff` namespace must be a row of TABLE: adding a staff page without
deciding who may open it fails `test_every_staff_url_is_in_the_table`.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Membership, Project
from api.models import WebhookDelivery, WebhookEndpoint
from api.tokens import token_create
from api.webhooks import endpoint_create
from certificates.exports import export_job_run, export_job_start
from certificates.models import BulkJob, ExportJob
from certificates.services import certificate_issue, template_save
from tests.factories import AccessFactory, ContactFactory, MembershipFactory, UserFactory

LOGIN = "login"  # a 302 to the login page, back to the URL after logging in
# A bulk job starts only from its confirmation page's form.
CONFIRMED = {"confirm": "yes"}

# The template editor's fields, enough for a preview of one line.
PREVIEW_FORM = {
    "html": "<h1>{{ participant_name }}</h1>",
    "page_size": "A4",
    "orientation": "landscape",
}

WHO = ("owner", "admin", "manager", "anonymous", "other_school")


@dataclass
class School:
    """One school with an object behind every staff URL, and one user per role."""

    slug: str
    contact: object  # Олена: has a certificate of `course`
    waiting: object  # Богдан: has access to `course`, no certificate
    course: object
    certificate: object
    template: object
    export_job: ExportJob
    bulk_job: BulkJob
    users: dict


# fmt: off
# name: (method, URL arguments after the school's slug, data, expected answer per WHO)
TABLE = {
    "home": ("get", lambda s: [], {}, {
        # No school in the URL: everyone logged in lands in their own school.
        "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 302,
    }),
    # The school's settings (language, time zone): configuration.
    "school_settings": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    # The school's signing key: configuration, owners and admins only.
    "signing_keys": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "signing_key_rotate": ("post", lambda s: [s.slug], {}, {
        "owner": 302, "admin": 302, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    # An upload without a file is refused with the form's message.
    "signing_key_upload": ("post", lambda s: [s.slug], {}, {
        "owner": 400, "admin": 400, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    # Contacts and the contact card: daily work.
    "contacts": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "contact": ("get", lambda s: [s.slug, s.contact.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "contact_products": ("get", lambda s: [s.slug, s.contact.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "contact_history": ("get", lambda s: [s.slug, s.contact.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "contact_edit": (
        "post", lambda s: [s.slug, s.contact.public_id],
        {"name": "Олена Коваленко", "print_name": "Olena Kovalenko"}, {
            "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    "contact_invite": ("post", lambda s: [s.slug, s.contact.public_id], {}, {
        "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
    }),
    # Issue now, × and the PDF: daily work.
    "certificate_issue_confirm": (
        "get", lambda s: [s.slug, s.waiting.public_id, s.course.public_id], {}, {
            "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    "certificate_issue": (
        "post", lambda s: [s.slug, s.waiting.public_id, s.course.public_id], {}, {
            "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    "certificate_delete": (
        "post", lambda s: [s.slug, s.certificate.public_id], {"reason": "Typo in the name"}, {
            "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    "certificate_reissue": (
        "post", lambda s: [s.slug, s.certificate.public_id], {"reason": "Name corrected"}, {
            "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    # Expiry: renew and extend are daily work, like Reissue.
    "certificate_renew": (
        "post", lambda s: [s.slug, s.certificate.public_id], {"reason": "Yearly refresher"}, {
            "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    "certificate_extend": (
        "post", lambda s: [s.slug, s.certificate.public_id],
        {"new_date": "2099-01-01", "reason": "Audit postponed"}, {
            "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    "certificate_download": ("get", lambda s: [s.slug, s.certificate.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    # Courses: the list and a course's page are daily work.
    "courses": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "course": ("get", lambda s: [s.slug, s.course.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    # A course's certificate settings: configuration.
    "course_certificate": ("get", lambda s: [s.slug, s.course.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "course_certificate_remove": ("get", lambda s: [s.slug, s.course.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "course_certificate_preview": (
        "post", lambda s: [s.slug, s.course.public_id], lambda s: {"template": s.template.pk}, {
            "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    "course_number_example": (
        "get", lambda s: [s.slug, s.course.public_id], {"number_prefix": "PY"}, {
            "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
        },
    ),
    # Templates: everyone sees the list; owners and admins create, edit and preview.
    "templates": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "template_new": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "template_design_picture": ("get", lambda s: [s.slug, "classic"], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "template_edit": ("get", lambda s: [s.slug, s.template.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "template_preview": ("post", lambda s: [s.slug], PREVIEW_FORM, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    # The Certificates report and its exports: daily work.
    "certificates_report": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "certificates_report_columns": ("post", lambda s: [s.slug], {"columns": ["email"]}, {
        "owner": 302, "admin": 302, "manager": 302, "anonymous": LOGIN, "other_school": 404,
    }),
    "certificates_export": ("get", lambda s: [s.slug], {"format": "csv"}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "export_job": ("get", lambda s: [s.slug, s.export_job.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    "export_download": ("get", lambda s: [s.slug, s.export_job.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    # Bulk jobs: owners and admins start them; managers may watch one's progress.
    "bulk_job_start": ("post", lambda s: [s.slug, s.course.public_id, "reissue"], CONFIRMED, {
        "owner": 302, "admin": 302, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "bulk_job": ("get", lambda s: [s.slug, s.bulk_job.public_id], {}, {
        "owner": 200, "admin": 200, "manager": 200, "anonymous": LOGIN, "other_school": 404,
    }),
    # Settings → API tokens and Settings → Webhooks: configuration.
    "api_tokens": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "api_token_revoke": ("get", lambda s: [s.slug, _token(s).public_id], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "webhooks": ("get", lambda s: [s.slug], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "webhook": ("get", lambda s: [s.slug, _endpoint(s).public_id], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "webhook_enable": ("post", lambda s: [s.slug, _endpoint(s).public_id], {}, {
        "owner": 302, "admin": 302, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "webhook_remove": ("get", lambda s: [s.slug, _endpoint(s).public_id], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "webhook_rotate_secret": ("get", lambda s: [s.slug, _endpoint(s).public_id], {}, {
        "owner": 200, "admin": 200, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
    "webhook_resend": ("post", lambda s: [s.slug, *_delivery(s)], {}, {
        "owner": 302, "admin": 302, "manager": 404, "anonymous": LOGIN, "other_school": 404,
    }),
}
# fmt: on


def _token(s):
    project = Project.objects.get(slug=s.slug)
    return token_create(project=project, actor=s.users["owner"], name="CRM", scope="read")[0]


def _endpoint(s):
    project = Project.objects.get(slug=s.slug)
    return endpoint_create(
        project=project,
        actor=s.users["owner"],
        url="https://crm.example.com/hook",
        events=["certificate.issued"],
    )


def _delivery(s):
    """A failed delivery of a disabled endpoint: Resend answers without any network."""
    endpoint = _endpoint(s)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now())
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_roles", event="certificate.issued", subject_id=1,
        body="{}", status="failed", attempts=9,
    )  # fmt: skip
    return [endpoint.public_id, delivery.public_id]


def staff_url_names() -> set[str]:
    """The names of every URL in the `staff` namespace, however the apps include them."""
    _prefix, resolver = get_resolver().namespace_dict["staff"]
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                # An unnamed page cannot be a row of the table: name it to fail loudly.
                names.add(pattern.name or f"<unnamed {pattern.pattern}>")

    walk(resolver.url_patterns)
    return names


def test_every_staff_url_is_in_the_table():
    assert staff_url_names() == set(TABLE)


@pytest.fixture
def school(project, alice, course, contact, access):
    waiting = ContactFactory(project=project, name="Богдан Шевчук")
    AccessFactory(contact=waiting, course=course)
    certificate, _created = certificate_issue(
        contact=contact, course=course, actor=alice, force=True
    )
    # A template edit leaves Олена's certificate outdated, so a reissue job can start.
    template = course.certificate.template
    template.css += "\nh1 { color: #800; }"
    template_save(template=template)
    users = {
        "owner": alice,
        "admin": MembershipFactory(project=project, role=Membership.Role.ADMIN).user,
        "manager": MembershipFactory(project=project, role=Membership.Role.MANAGER).user,
        "anonymous": None,
        "other_school": MembershipFactory(user=UserFactory()).user,
    }
    return School(
        slug=project.slug,
        contact=contact,
        waiting=waiting,
        course=course,
        certificate=certificate,
        template=template,
        export_job=export_job_run(
            job_id=export_job_start(project=project, actor=alice, data={}).id
        ),
        bulk_job=BulkJob.objects.create(
            project=project,
            course_certificate=course.certificate,
            kind=BulkJob.Kind.ISSUE,
            total=1,
            created_by=alice,
        ),
        users=users,
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", list(TABLE))
def test_role_policy(client, school, name, who):
    method, url_args, data, expected = TABLE[name]
    url = reverse(f"staff:{name}", args=url_args(school))
    if school.users[who] is not None:
        client.force_login(school.users[who])

    data = data(school) if callable(data) else data
    response = getattr(client, method)(url, data)

    if expected[who] == LOGIN:
        asked = f"{url}?{urlencode(data)}" if method == "get" and data else url
        assert response.status_code == 302
        assert response.url == f"/accounts/login/?next={quote(asked)}"
    else:
        assert response.status_code == expected[who]
        if response.status_code == 302:  # a member's redirect never asks them to log in
            assert not response.url.startswith("/accounts/login/")
