"""Issue 8, point 6: no input makes a page answer 500.

Every URL pattern of the site (staff, portal, public, accounts) is found by walking the URL
configuration, so a new page is fuzzed the day it is added. Each is called as the kind of user
it is for, with hypothesis-generated values (NUL and other control characters, huge and
negative numbers, odd dates, very long strings, other scripts, plus the real ids of a small
school so the values get past the first 404) in its path, in every query parameter and form
field it reads (ENDPOINTS), and in one it does not know. Every answer must be below 500: a
clear message, a redirect, a 404, a 405. The same file runs on SQLite and on PostgreSQL,
which refuses NUL characters in text and so finds what SQLite lets through.

Each example runs in a savepoint that is rolled back, so every request meets the same school
and a database error cannot poison the examples after it.
"""

import datetime
import io
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from api import webhooks
from api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from certificates import report, services, signing
from certificates.models import BulkJob, ExportJob
from courses.models import Choice, Question
from tests.factories import (
    AccessFactory,
    ContactFactory,
    UserFactory,
    course_with_certificate,
)

# Examples per endpoint and method: about 3,000 requests in all, a minute and a half on SQLite.
EXAMPLES = 30
# Endpoints that draw a PDF or PNG, or generate keys, per request get fewer.
SLOW_EXAMPLES = 6

# --- Values ---------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 20,
    "\t\r\n",
    "\x1b[31m",
    "\u202eevil",
    "\ufeff",
    "\ud7ff\ue000\uffff",
    "💥" * 10,
    "Олена",
    "١٢٣",  # Arabic-Indic digits: int() reads them
    "0",
    "-1",
    "1e308",
    "NaN",
    "inf",
    str(2**31),
    str(2**63),
    str(2**64),
    "9" * 40,
    "-" + "9" * 40,
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "2026-02-30",
    "10000-01-01",
    "31.12.9999",
    "{seq:c}",
    "{seq}",
    "{",
    "}",
    "%",
    "%00",
    "../../etc/passwd",
    "foo",
    "//evil.example",
    "http://evil.example/",
    "javascript:alert(1)",
    '=HYPERLINK("http://evil.example/")',
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "' OR 1=1 --",
    str(uuid.UUID(int=0)),
]


def _long(char: str):
    return st.integers(min_value=200, max_value=120_000).map(lambda n: char * n)


def _either(*strategies):
    """One of `strategies`, each as likely. (st.one_of flattens nested choices: a real value
    would be one branch among all of TEXT's, and rarely drawn.)"""
    return st.sampled_from(strategies).flatmap(lambda strategy: strategy)


TEXT = _either(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),  # any code point but surrogates: NUL and every control character
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Mn"]), max_size=10),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(datetime.date.isoformat),
    st.one_of(_long("x"), _long("\x00"), _long("é")),
    st.builds("{}\x00{}".format, st.text(max_size=10), st.text(max_size=10)),
)


def values(*valid):
    """A field's strategy: half hostile text, half a real value of the school, so that the
    hostile value in one field meets valid values in the others and gets past validation."""
    if not valid:
        return TEXT
    return _either(TEXT, st.sampled_from(valid))


# --- The school every request meets ---------------------------------------------------------


@dataclass
class World:
    project: object
    staff: object
    student: object
    course: object
    course_certificate: object
    contact: object
    lessons: list
    test_lesson: object
    waiting_course: object
    question: object
    choices: list
    certificate: object
    export_job: object
    bulk_job: object
    api_token: object
    webhook: object
    delivery: object

    def kwarg(self, url_name: str, name: str):
        """The real value of a URL argument, or None when the fuzz has none."""
        if name == "job_id":
            job = self.bulk_job if url_name == "staff:bulk_job" else self.export_job
            return job.public_id
        if name == "key_id":
            # Made only here: generating keys would otherwise cost every test.
            return signing.school_key(self.project).public_id
        if name == "lesson_id":
            return self.test_lesson.public_id
        if name == "course_id" and url_name.startswith("staff:certificate_issue"):
            # The other course's certificate is issued already: Issue now there writes nothing.
            return self.waiting_course.public_id
        return {
            "project_slug": self.project.slug,
            "contact_id": self.contact.public_id,
            "course_id": self.course.public_id,
            "certificate_id": self.certificate.public_id,
            "public_id": self.certificate.public_id,
            "template_id": self.course_certificate.template.public_id,
            "code": self.certificate.code,
            "kind": BulkJob.Kind.ISSUE,
            "design": "classic",
            "token_id": self.api_token.public_id,
            "endpoint_id": self.webhook.public_id,
            "delivery_id": self.delivery.public_id,
            "school": self.project.slug,
            "number": 1,
            # The student's own password-reset link.
            "uidb64": urlsafe_base64_encode(force_bytes(self.student.pk)),
            "token": default_token_generator.make_token(self.student),
        }.get(name)


@pytest.fixture
def world(project, alice, course, contact):
    student = UserFactory(email="olena@example.com")
    contact.user = student
    contact.save(update_fields=["user"])
    AccessFactory(contact=contact, course=course)
    tested = course_with_certificate(project, lessons=2, test=True)
    AccessFactory(contact=contact, course=tested)
    test_lesson = tested.lessons.get(is_test=True)
    question = Question.objects.create(lesson=test_lesson, position=1, text="2 + 2?")
    choices = [
        Choice.objects.create(question=question, text="4", is_correct=True),
        Choice.objects.create(question=question, text="5"),
    ]
    certificate, _created = services.certificate_issue(
        contact=contact, course=course, actor=alice, force=True
    )
    # A stored stand-in, so downloads in the examples read a file instead of rendering one.
    certificate.pdf.save("fuzz.pdf", ContentFile(b"%PDF-1.4 stand-in"))
    # Someone waiting for the certificate, so a bulk "issue" job has work to start.
    AccessFactory(contact=ContactFactory(project=project), course=course)
    # A finished export whose file was cleaned up: its download answers 404.
    export_job = ExportJob.objects.create(
        project=project,
        created_by=alice,
        status=ExportJob.Status.FINISHED,
        file="exports/cleaned-up.xlsx",
    )
    bulk_job = BulkJob.objects.create(
        project=project,
        course_certificate=course.certificate,
        kind=BulkJob.Kind.ISSUE,
        status=BulkJob.Status.FINISHED,
        created_by=alice,
    )
    api_token = ApiToken.objects.create(
        project=project,
        name="CRM",
        scope="read",
        prefix="fuzz",
        token_hash="0" * 64,
        created_by=alice,
    )
    webhook = WebhookEndpoint.objects.create(
        project=project,
        url="https://crm.example/hooks",
        events=["certificate.issued"],
        encrypted_secret=webhooks.encrypt_secret("whsec_ZnV6eg=="),
        created_by=alice,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=webhook,
        message_id="msg_fuzz",
        event="certificate.issued",
        subject_id=certificate.pk,
        body="{}",
    )
    return World(
        project=project,
        staff=alice,
        student=student,
        course=course,
        course_certificate=course.certificate,
        contact=contact,
        lessons=list(course.lessons.all()),
        test_lesson=test_lesson,
        waiting_course=tested,
        question=question,
        choices=choices,
        certificate=certificate,
        export_job=export_job,
        bulk_job=bulk_job,
        api_token=api_token,
        webhook=webhook,
        delivery=delivery,
    )


# --- What each page reads -------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    methods: tuple = ("GET",)
    # name -> function(world) giving the valid values of that query parameter / form field
    query: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    user: str = "anonymous"  # anonymous, staff or student
    examples: int = EXAMPLES
    files: tuple = ()  # form fields that take an upload
    # The page signs or lists the school's key: made before the examples, or each example
    # would generate (and roll back) a key of its own.
    signing_key: bool = False


def _none(world):
    return ()


def _report_params():
    return {
        "q": lambda w: (w.contact.name, w.certificate.number),
        "course": lambda w: (str(w.course.public_id),),
        "certificate": lambda w: (str(w.course_certificate.public_id),),
        "issued_from": lambda w: ("2026-01-01", "9999-12-31", "0001-01-01"),
        "issued_to": lambda w: ("2026-01-01", "9999-12-31", "0001-01-01"),
        "method": lambda w: ("automatic", "manual"),
        "forced": lambda w: ("yes", "no"),
        "outdated": lambda w: ("on",),
        "deleted": lambda w: ("on",),
        "sort": lambda w: tuple(report.SORTS),
        "cursor": _report_cursor,
    }


def _report_cursor(world):
    row = report.page(
        report.with_columns(
            report.filtered(project=world.project, filters=report.Filters(include_deleted=True))
        ),
        project=world.project,
        sort=report.DEFAULT_SORT,
        size=1,
    ).rows[0]
    return (
        report.Cursor.of(row, sort=report.DEFAULT_SORT, backwards=False, page=2).encode(),
        report.Cursor.of(row, sort=report.DEFAULT_SORT, backwards=True, page=10**30).encode(),
    )


def _course_certificate_form():
    return {
        "template": lambda w: (str(w.course_certificate.template_id),),
        "title": lambda w: ("Certificate",),
        "number_prefix": lambda w: ("PY",),
        "number_format": lambda w: ("{prefix}-{year}-{seq:06}", "{seq:c}", "{seq:x}"),
        "auto_issue": lambda w: ("on",),
        "completion": lambda w: ("all", "percent"),
        "min_percent": lambda w: ("50",),
        "required_lessons": lambda w: tuple(str(lesson.pk) for lesson in w.lessons),
        "min_test_score": lambda w: ("60",),
    }


def _template_form():
    return {
        "name": lambda w: ("Classic",),
        "html": lambda w: ("<h1>{{ participant_name }}</h1>",),
        "css": lambda w: ("h1 { color: red }",),
        "page_size": lambda w: ("A4", "Letter"),
        "orientation": lambda w: ("landscape", "portrait"),
        "background": _none,
    }


REASON = {"reason": lambda w: ("Early issue",)}
NEXT = {"next": lambda w: ("/my/courses/", "/my/certificates/")}

ENDPOINTS = {
    # Root and accounts.
    "home": Endpoint(user="staff"),
    "healthz": Endpoint(examples=3),  # no input; checks services in threads
    "login": Endpoint(
        methods=("GET", "POST"),
        query=NEXT,
        form={"username": lambda w: (w.staff.email,), "password": _none, **NEXT},
    ),
    "password_change": Endpoint(
        methods=("GET", "POST"),
        user="student",
        form={"old_password": _none, "new_password1": _none, "new_password2": _none},
    ),
    "password_change_done": Endpoint(user="student"),
    "password_reset": Endpoint(
        methods=("GET", "POST"), form={"email": lambda w: (w.student.email,)}
    ),
    "password_reset_done": Endpoint(),
    "password_reset_confirm": Endpoint(
        methods=("GET", "POST"), form={"new_password1": _none, "new_password2": _none}
    ),
    "password_reset_complete": Endpoint(),
    "set_language": Endpoint(methods=("POST",), form={"language": lambda w: ("en", "uk"), **NEXT}),
    # Staff.
    "staff:home": Endpoint(user="staff"),
    "staff:school_settings": Endpoint(
        methods=("GET", "POST"),
        user="staff",
        form={"language": lambda w: ("en", "uk"), "time_zone": lambda w: ("Europe/Kyiv", "UTC")},
        examples=SLOW_EXAMPLES,  # the time zone list costs a quarter of a second per page
    ),
    "staff:contacts": Endpoint(
        user="staff",
        query={"q": lambda w: (w.contact.name, "+380"), "page": lambda w: ("1", "2", "last")},
    ),
    "staff:contact": Endpoint(user="staff", query={"tab": lambda w: ("products", "history")}),
    "staff:contact_edit": Endpoint(
        methods=("GET", "POST"),
        user="staff",
        form={"name": lambda w: ("Olena",), "print_name": lambda w: ("Olena K.", "")},
    ),
    "staff:contact_products": Endpoint(user="staff"),
    "staff:contact_history": Endpoint(user="staff"),
    "staff:contact_invite": Endpoint(methods=("POST",), user="staff"),
    "staff:certificate_issue_confirm": Endpoint(user="staff"),
    "staff:certificate_issue": Endpoint(methods=("POST",), user="staff", form=REASON),
    "staff:certificate_delete": Endpoint(methods=("GET", "POST"), user="staff", form=REASON),
    "staff:certificate_download": Endpoint(user="staff"),
    "staff:certificate_reissue": Endpoint(methods=("GET", "POST"), user="staff", form=REASON),
    "staff:certificate_renew": Endpoint(methods=("GET", "POST"), user="staff", form=REASON),
    "staff:certificate_extend": Endpoint(
        methods=("POST",),
        user="staff",
        form={"expires_on": lambda w: ("2030-01-31",), **REASON},
    ),
    "staff:template_design_picture": Endpoint(user="staff"),
    # The API app's settings pages.
    "staff:api_tokens": Endpoint(
        methods=("GET", "POST"),
        user="staff",
        form={"name": lambda w: ("CRM",), "scope": lambda w: ("read", "write")},
    ),
    "staff:api_token_revoke": Endpoint(methods=("GET", "POST"), user="staff"),
    "staff:webhooks": Endpoint(
        methods=("GET", "POST"),
        user="staff",
        form={
            "url": lambda w: ("https://crm.example/hooks",),
            "events": lambda w: ("certificate.issued", "certificate.deleted"),
            "description": lambda w: ("CRM",),
        },
    ),
    "staff:webhook": Endpoint(user="staff"),
    "staff:webhook_enable": Endpoint(methods=("POST",), user="staff"),
    "staff:webhook_remove": Endpoint(methods=("GET", "POST"), user="staff"),
    "staff:webhook_rotate_secret": Endpoint(methods=("GET", "POST"), user="staff"),
    "staff:webhook_resend": Endpoint(methods=("POST",), user="staff"),
    "staff:course_certificate": Endpoint(
        methods=("GET", "POST"), user="staff", form=_course_certificate_form()
    ),
    "staff:course_certificate_remove": Endpoint(methods=("GET", "POST"), user="staff"),
    "staff:course_certificate_preview": Endpoint(
        methods=("POST",),
        user="staff",
        form=_course_certificate_form(),
        examples=SLOW_EXAMPLES,
    ),
    "staff:course_number_example": Endpoint(
        user="staff",
        query={
            "number_format": lambda w: ("{prefix}-{year}-{seq:06}", "{seq:c}"),
            "number_prefix": lambda w: ("PY",),
        },
    ),
    "staff:templates": Endpoint(user="staff"),
    "staff:template_new": Endpoint(
        methods=("GET", "POST"),
        user="staff",
        query={"start": lambda w: ("classic", "modern")},
        form=_template_form(),
        files=("background",),
    ),
    "staff:template_preview": Endpoint(
        methods=("POST",),
        user="staff",
        query={"template": lambda w: (str(w.course_certificate.template.public_id),)},
        form=_template_form(),
        files=("background",),
        examples=SLOW_EXAMPLES,
    ),
    "staff:template_edit": Endpoint(
        methods=("GET", "POST"), user="staff", form=_template_form(), files=("background",)
    ),
    "staff:certificates_report": Endpoint(user="staff", query=_report_params()),
    "staff:certificates_report_columns": Endpoint(
        methods=("POST",),
        user="staff",
        form={"columns": lambda w: tuple(report.OPTIONAL_COLUMNS), **_report_params()},
    ),
    "staff:certificates_export": Endpoint(
        methods=("GET", "POST"),
        user="staff",
        query={"format": lambda w: ("csv", "xlsx"), **_report_params()},
        form={"format": lambda w: ("csv", "xlsx"), **_report_params()},
    ),
    "staff:export_job": Endpoint(user="staff"),
    "staff:export_download": Endpoint(user="staff"),
    "staff:bulk_job_start": Endpoint(methods=("POST",), user="staff"),
    "staff:bulk_job": Endpoint(user="staff"),
    "staff:courses": Endpoint(user="staff"),
    "staff:course": Endpoint(user="staff"),
    # Portal.
    "portal:courses": Endpoint(user="student", query={"name": lambda w: ("edit",)}),
    "portal:lesson": Endpoint(user="student"),
    "portal:lesson_complete": Endpoint(methods=("POST",), user="student"),
    "portal:test_submit": Endpoint(
        methods=("POST",),
        user="student",
        form={
            "question-{question}": lambda w: tuple(str(choice.pk) for choice in w.choices),
        },
    ),
    "portal:certificates": Endpoint(user="student", query={"name": lambda w: ("edit",)}),
    "portal:download": Endpoint(user="student"),
    "portal:view": Endpoint(user="student"),
    "portal:confirm_name": Endpoint(
        methods=("POST",),
        user="student",
        form={"print_name": lambda w: ("Olena Kovalenko",), **NEXT},
    ),
    "portal:dismiss_name": Endpoint(methods=("POST",), user="student", form=NEXT),
    "staff:signing_keys": Endpoint(
        user="staff", query={"rotate": lambda w: ("1",)}, signing_key=True
    ),
    "staff:signing_key_rotate": Endpoint(methods=("POST",), user="staff", examples=SLOW_EXAMPLES),
    "staff:signing_key_upload": Endpoint(
        methods=("POST",),
        user="staff",
        form={"file": _none, "password": _none},
        files=("file",),
    ),
    # Public.
    "public:home": Endpoint(query={"code": lambda w: (w.certificate.code, "-", "abc")}),
    "public:check": Endpoint(
        methods=("POST",), form={"file": _none}, files=("file",), signing_key=True
    ),
    "public:keys": Endpoint(signing_key=True),
    "public:key_pem": Endpoint(signing_key=True),
    "public:status_list": Endpoint(signing_key=True),
    "public:verify": Endpoint(query={"format": lambda w: ("json", "html")}),
    "public:credential_json": Endpoint(signing_key=True),
    "public:credential_jwt": Endpoint(signing_key=True),
}
# Not fuzzed here: logging out would end the session the other examples use, the Django admin
# is Django's own, for superusers only, and the API has its own schema-driven fuzz.
SKIPPED = {"logout"}
# The JSON API is fuzzed from its OpenAPI schema by schemathesis (tests/api/).
SKIPPED_NAMESPACES = {"admin", "api-v1"}


# --- Every URL pattern ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str
    converters: dict


def _walk(patterns, namespace="", converters=None):
    converters = converters or {}
    for entry in patterns:
        found = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Pattern(f"{namespace}{entry.name}", found)


def url_patterns() -> list[Pattern]:
    patterns = {p.name: p for p in _walk(get_resolver().url_patterns)}
    return [p for name, p in sorted(patterns.items()) if name not in SKIPPED]


CASES = [
    (pattern, method)
    for pattern in url_patterns()
    for method in ENDPOINTS.get(pattern.name, Endpoint(methods=("GET", "POST"))).methods
]


def test_every_page_is_described():
    """A page missing from ENDPOINTS is still fuzzed (path and GET/POST), but without the
    parameters it reads; describing it keeps the fuzz honest."""
    names = {pattern.name for pattern in url_patterns()}
    assert names - set(ENDPOINTS) == set()
    assert set(ENDPOINTS) - names == set()


# --- The property ---------------------------------------------------------------------------


def _kwarg_strategy(world, url_name, name, converter):
    real = world.kwarg(url_name, name)
    if isinstance(converter, UUIDConverter):
        options = st.uuids()
    elif isinstance(converter, IntConverter):
        options = st.integers(min_value=0, max_value=2**80)
    elif isinstance(converter, SlugConverter):
        options = st.from_regex(r"[-a-zA-Z0-9_]{1,80}", fullmatch=True)
    else:  # str and path: anything but the separator
        options = TEXT.filter(lambda text: text and "/" not in text)
    if real is None:
        return options
    # Mostly the real object, so the parameters reach the code behind the first 404.
    return _either(st.just(real), st.just(real), st.just(real), options)


def _params(draw, world, spec: dict) -> dict:
    params = {}
    for name, valid in spec.items():
        key = name.format(question=world.question.pk)
        if draw(st.sampled_from([True, True, True, False])):
            count = draw(st.sampled_from([1, 1, 1, 2, 3]))
            many = [draw(values(*valid(world))) for _ in range(count)]
            params[key] = many if count > 1 else many[0]
    if draw(st.booleans()):
        params[draw(st.sampled_from(["format", "x", "next", "page", "id"]))] = draw(TEXT)
    return params


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(output, "PNG")
    return output.getvalue()


UPLOADS = st.one_of(
    st.binary(max_size=200),
    st.just(_png()),  # a real image, so a save gets as far as storing it
    st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    st.just(b"GIF89a\x01\x00\x01\x00"),
)


def _upload(draw):
    # Always ending in .png: a name with nothing after its last slash cannot even be sent.
    name = draw(values("seal", "a\x00b", "../../seal")) + ".png"
    return SimpleUploadedFile(name, draw(UPLOADS))


def _user(world, kind):
    return {"staff": world.staff, "student": world.student}.get(kind)


@pytest.mark.parametrize(
    ("pattern", "method"), CASES, ids=[f"{p.name}-{method}" for p, method in CASES]
)
def test_no_input_makes_a_server_error(client, world, pattern, method):
    endpoint = ENDPOINTS.get(pattern.name, Endpoint(methods=("GET", "POST")))
    user = _user(world, endpoint.user)
    if user is not None:
        client.force_login(user)

    if endpoint.signing_key:
        signing.school_key(world.project)
    # Built once, outside the examples' savepoints: the real values stay for every example.
    path_values = {
        name: _kwarg_strategy(world, pattern.name, name, converter)
        for name, converter in pattern.converters.items()
    }

    @settings(
        max_examples=endpoint.examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )
    @given(data=st.data())
    def request_is_answered(data):
        draw = data.draw
        kwargs = {name: draw(strategy, label=name) for name, strategy in path_values.items()}
        query = _params(draw, world, endpoint.query)
        form = _params(draw, world, endpoint.form) if method == "POST" else {}
        for name in endpoint.files:
            if method == "POST" and draw(st.booleans()):
                form[name] = _upload(draw)
        language = draw(st.sampled_from(["en", "uk"]))
        url = reverse(pattern.name, kwargs=kwargs)
        cache.clear()  # rate limits would otherwise answer 429 before the code under test
        with transaction.atomic():
            if method == "GET":
                response = client.get(url, query, HTTP_ACCEPT_LANGUAGE=language)
            else:
                response = client.post(
                    f"{url}?{urlencode(query, doseq=True)}" if query else url,
                    form,
                    HTTP_ACCEPT_LANGUAGE=language,
                )
            transaction.set_rollback(True)
        assert response.status_code < 500, (method, url, query, form)

    request_is_answered()


EXPECTED_STATUS = {
    "home": 302,  # to the staff home
    "staff:home": 302,  # to the one school's contacts
    "password_reset_confirm": 302,  # to the same page without the token in the URL
    "staff:export_download": 404,  # the file was cleaned up
}
GET_PAGES = [pattern for pattern, method in CASES if method == "GET"]


@pytest.mark.parametrize("pattern", GET_PAGES, ids=[p.name for p in GET_PAGES])
def test_the_real_values_reach_the_page(client, world, pattern):
    """Without hostile values each page answers normally: the fuzz above gets past the 404s."""
    kwargs = {name: world.kwarg(pattern.name, name) for name in pattern.converters}
    user = _user(world, ENDPOINTS[pattern.name].user)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(pattern.name, kwargs=kwargs))
    assert response.status_code == EXPECTED_STATUS.get(pattern.name, 200)
