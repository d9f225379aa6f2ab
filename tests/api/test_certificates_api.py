import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tokens import token_create
from certificates import services
from certificates.models import Certificate
from courses.models import LessonProgress
from tests.factories import CertificateFactory, ContactFactory

PROBLEM = "application/problem+json"


@pytest.fixture
def issued(contact, course, access, alice):
    certificate, _created = services.certificate_issue(
        contact=contact, course=course, actor=alice, force=True, reason="Early"
    )
    return certificate


def test_a_certificate_by_id_number_and_code(api_client, read_token, issued):
    by_id = api_client("get", f"/api/v1/certificates/{issued.public_id}", read_token)
    assert by_id.status_code == 200
    body = by_id.json()
    assert body["number"] == issued.number
    assert body["state"] == "valid"
    assert body["contact"]["name"] == "Олена Коваленко"
    assert body["contact"]["email"] == "olena@example.com"
    assert body["method"] == "manual"
    assert body["forced"] is True
    assert body["issue_reason"] == "Early"
    assert body["issued_by"] == "alice@example.com"
    assert body["verification_url"].endswith(f"/verify/{issued.code}/")
    by_number = api_client("get", f"/api/v1/certificates/lookup?number={issued.number}", read_token)
    by_code = api_client(
        "get", f"/api/v1/certificates/lookup?code={issued.code.lower()}", read_token
    )
    assert by_number.json() == body
    assert by_code.json() == body


def test_another_schools_token_sees_nothing_of_this_school(
    api_client, issued, contact, course, other_school
):
    school_b, bob, _course_b, _contact_b = other_school
    _row, token_b = token_create(project=school_b, actor=bob, name="B", scope="write")
    for path in (
        f"/api/v1/certificates/{issued.public_id}",
        f"/api/v1/certificates/lookup?number={issued.number}",
        f"/api/v1/contacts/{contact.public_id}",
        f"/api/v1/courses/{course.public_id}",
        f"/api/v1/verify/{issued.code}",
    ):
        response = api_client("get", path, token_b)
        assert response.status_code == 404, path
        assert response["Content-Type"] == PROBLEM
        assert response.json() == {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "Not found.",
        }
    listed = api_client("get", "/api/v1/certificates", token_b).json()
    assert listed["items"] == []
    deleted = api_client(
        "post", f"/api/v1/certificates/{issued.public_id}/delete", token_b, {"reason": "x"}
    )
    assert deleted.status_code == 404
    issue = api_client(
        "post",
        "/api/v1/certificates",
        token_b,
        {"contact": str(contact.public_id), "course": str(course.public_id), "force": True},
    )
    assert issue.status_code == 404
    issued.refresh_from_db()
    assert issued.deleted_at is None


def test_a_read_token_cannot_write(api_client, read_token, issued, contact, course):
    response = api_client(
        "post", f"/api/v1/certificates/{issued.public_id}/delete", read_token, {"reason": "no"}
    )
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["title"] == "Forbidden"
    issued.refresh_from_db()
    assert issued.deleted_at is None


def test_no_token_or_a_wrong_one_is_401(api_client, read_token):
    assert api_client("get", "/api/v1/certificates").status_code == 401
    wrong = api_client("get", "/api/v1/certificates", "lmsk_" + "x" * 43)
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == "Bearer"
    assert wrong.json()["title"] == "Unauthorized"


def test_issue_as_the_tokens_creator_with_force_and_reason(
    api_client, write_token, contact, course, access
):
    body = {"contact": str(contact.public_id), "course": str(course.public_id), "force": True}
    response = api_client("post", "/api/v1/certificates", write_token, {**body, "reason": "Exam"})
    assert response.status_code == 201
    certificate = Certificate.objects.get()
    assert response.json()["id"] == str(certificate.public_id)
    assert (certificate.issued_by.email, certificate.forced, certificate.issue_reason) == (
        "alice@example.com",
        True,
        "Exam",
    )
    again = api_client("post", "/api/v1/certificates", write_token, body)
    assert again.status_code == 200
    assert again.json()["id"] == str(certificate.public_id)


def test_issue_before_completion_without_force_is_refused_with_the_services_message(
    api_client, write_token, contact, course, access
):
    body = {"contact": str(contact.public_id), "course": str(course.public_id)}
    response = api_client("post", "/api/v1/certificates", write_token, body)
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"].startswith("Олена Коваленко has not met the conditions yet")
    assert not Certificate.objects.exists()


def test_the_same_idempotency_key_replays_the_first_response(
    api_client, write_token, contact, course, access
):
    body = {"contact": str(contact.public_id), "course": str(course.public_id), "force": True}
    first = api_client("post", "/api/v1/certificates", write_token, body, HTTP_IDEMPOTENCY_KEY="k1")
    # Deleted in between: without the key a retry would issue a second certificate.
    Certificate.objects.update(deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    replay = api_client(
        "post", "/api/v1/certificates", write_token, body, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Certificate.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_422(
    api_client, write_token, contact, course, access
):
    body = {"contact": str(contact.public_id), "course": str(course.public_id), "force": True}
    api_client("post", "/api/v1/certificates", write_token, body, HTTP_IDEMPOTENCY_KEY="k2")
    other = api_client(
        "post",
        "/api/v1/certificates",
        write_token,
        {**body, "reason": "different"},
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert other.status_code == 422
    assert other["Content-Type"] == PROBLEM
    assert "different request" in other.json()["detail"]


def test_delete_and_reissue_go_through_the_services(api_client, write_token, issued):
    reissued = api_client(
        "post", f"/api/v1/certificates/{issued.public_id}/reissue", write_token, {"reason": "Typo"}
    )
    assert reissued.status_code == 201
    new = reissued.json()
    assert new["replaces"] == str(issued.public_id)
    old = api_client("get", f"/api/v1/certificates/{issued.public_id}", write_token).json()
    assert (old["state"], old["replaced_by"], old["delete_reason"]) == (
        "replaced",
        new["id"],
        "Typo",
    )
    deleted = api_client(
        "post", f"/api/v1/certificates/{new['id']}/delete", write_token, {"reason": "Fraud"}
    )
    assert deleted.status_code == 200
    assert (deleted.json()["state"], deleted.json()["delete_reason"]) == ("withdrawn", "Fraud")


def test_validation_errors_are_problems_with_each_field(api_client, write_token):
    response = api_client("post", "/api/v1/certificates", write_token, {"contact": "nope"})
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert (problem["title"], problem["status"]) == ("Unprocessable Entity", 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {
        ("body", "payload", "contact"),
        ("body", "payload", "course"),
    }


def test_unknown_paths_and_methods_are_problems(api_client, read_token):
    missing = api_client("get", "/api/v1/nothing-here", read_token)
    assert (missing.status_code, missing["Content-Type"]) == (404, PROBLEM)
    wrong_method = api_client("put", "/api/v1/certificates", read_token)
    assert (wrong_method.status_code, wrong_method["Content-Type"]) == (405, PROBLEM)
    assert wrong_method.json()["title"] == "Method Not Allowed"


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(
    api_client, read_token, write_token, settings
):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert api_client("get", "/api/v1/courses", read_token).status_code == 200
    limited = api_client("get", "/api/v1/courses", read_token)
    assert limited.status_code == 429
    assert limited["Content-Type"] == PROBLEM
    assert 1 <= int(limited["Retry-After"]) <= 61
    # Counted per token: another token of the same school still goes through.
    assert api_client("get", "/api/v1/courses", write_token).status_code == 200


def test_the_list_uses_the_reports_filters_and_cursor(api_client, read_token, project, course):
    cc = course.certificate
    day = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    for n in range(5):
        CertificateFactory(
            course_certificate=cc,
            issued_at=day + datetime.timedelta(days=n),
            method="manual" if n % 2 else "automatic",
            number=f"PY-{n}",
        )
    page1 = api_client("get", "/api/v1/certificates?limit=2&sort=number", read_token).json()
    assert [c["number"] for c in page1["items"]] == ["PY-0", "PY-1"]
    page2 = api_client(
        "get", f"/api/v1/certificates?limit=2&sort=number&cursor={page1['next_cursor']}", read_token
    ).json()
    assert [c["number"] for c in page2["items"]] == ["PY-2", "PY-3"]
    manual = api_client("get", "/api/v1/certificates?method=manual", read_token).json()
    assert [c["number"] for c in manual["items"]] == ["PY-3", "PY-1"]
    dated = api_client(
        "get", "/api/v1/certificates?issued_from=2026-03-02&issued_to=2026-03-03", read_token
    ).json()
    assert [c["number"] for c in dated["items"]] == ["PY-2", "PY-1"]
    bad = api_client("get", "/api/v1/certificates?cursor=garbage", read_token)
    assert bad.status_code == 422


def test_a_page_of_100_makes_as_many_queries_as_a_page_of_1(
    api_client, read_token, project, course, other_school
):
    cc = course.certificate
    for n in range(100):
        deleted = n % 3 == 0
        certificate = CertificateFactory(
            course_certificate=cc,
            method="manual" if n % 2 else "automatic",
            issued_by=cc.project.memberships.first().user if n % 2 else None,
            deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if deleted else None,
        )
        if deleted and n % 2:
            CertificateFactory(
                course_certificate=cc, contact=certificate.contact, replaces=certificate
            )
    api_client("get", "/api/v1/certificates?limit=1", read_token)  # last-used write settles

    def count(limit):
        with CaptureQueriesContext(connection) as queries:
            response = api_client(
                "get", f"/api/v1/certificates?limit={limit}&deleted=1", read_token
            )
        assert len(response.json()["items"]) == limit
        return len(queries)

    assert count(100) == count(1)


def test_contacts_search_and_products(api_client, read_token, contact, course, access, issued):
    ContactFactory(project=contact.project, name="Someone Else", email="else@example.com")
    found = api_client("get", "/api/v1/contacts?q=олена", read_token).json()
    assert [c["email"] for c in found["items"]] == ["olena@example.com"]
    assert found["items"][0]["certificates_count"] == 1
    detail = api_client("get", f"/api/v1/contacts/{contact.public_id}", read_token).json()
    assert detail["products"] == [
        {
            "course": {"id": str(course.public_id), "title": course.title},
            "access": "active",
            "progress_percent": 0,
            "lessons_completed": 0,
            "lessons_total": 3,
            "certificate_state": "issued",
            "certificate": str(issued.public_id),
            "history": [str(issued.public_id)],
        }
    ]


def test_contacts_page_through_with_a_cursor(api_client, read_token, project):
    for name in ("Anna", "Boris", "Chen"):
        ContactFactory(project=project, name=name)
    first = api_client("get", "/api/v1/contacts?limit=2", read_token).json()
    assert [c["name"] for c in first["items"]] == ["Anna", "Boris"]
    rest = api_client("get", f"/api/v1/contacts?limit=2&cursor={first['next_cursor']}", read_token)
    assert [c["name"] for c in rest.json()["items"]] == ["Chen"]
    assert rest.json()["next_cursor"] is None


def test_courses_with_their_certificate_settings(api_client, read_token, course, issued):
    courses = api_client("get", "/api/v1/courses", read_token).json()
    assert courses == [
        {
            "id": str(course.public_id),
            "title": course.title,
            "issued_count": 1,
            "certificate": {
                "id": str(course.certificate.public_id),
                "title": "Certificate of Completion",
                "template": "Classic",
                "number_prefix": "PY",
                "number_format": "{prefix}-{year}-{seq:06}",
                "auto_issue": True,
                "completion": "all",
                "min_percent": 100,
                "required_lessons": [],
                "min_test_score": None,
            },
        }
    ]


def test_verify_gives_the_public_pages_data(api_client, read_token, issued):
    data = api_client("get", f"/api/v1/verify/{issued.code}", read_token).json()
    assert data["status"] == "valid"
    assert data["number"] == issued.number
    assert data["participant_name"] == "Олена Коваленко"
    assert "email" not in str(data)


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
    errors = schema["paths"]["/api/v1/certificates"]["post"]["responses"]["403"]["content"]
    assert list(errors) == [PROBLEM]
    assert client.get("/api/v1/docs").status_code == 200


def test_auto_issue_still_works_with_webhook_receivers_connected(contact, course, access):
    for lesson in course.lessons.all():
        LessonProgress.objects.create(
            contact=contact, lesson=lesson, completed_at=datetime.datetime.now(datetime.UTC)
        )
    services.certificate_issue_if_earned(contact_id=contact.id, course_id=course.id)
    assert Certificate.objects.filter(contact=contact).count() == 1


def test_a_post_to_a_path_with_a_malformed_id_is_a_404_problem(api_client, write_token):
    response = api_client("post", "/api/v1/certificates/null,null/delete", write_token, {})
    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)


def test_a_body_that_is_not_json_is_a_400_problem(client, write_token):
    response = client.post(
        "/api/v1/certificates",
        "t",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {write_token}",
    )
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)


def test_a_path_with_a_newline_is_a_404_problem_too(api_client, write_token):
    response = api_client("post", "/api/v1/certificates/%0A/delete", write_token, {})
    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)


def test_an_expired_certificate_says_so_with_its_date(api_client, read_token, issued):
    Certificate.objects.filter(pk=issued.pk).update(expires_at=datetime.date(2020, 1, 31))

    body = api_client("get", f"/api/v1/certificates/{issued.public_id}", read_token).json()

    assert body["state"] == "expired"
    assert body["expires_at"] == "2020-01-31"
    listed = api_client("get", "/api/v1/certificates", read_token).json()["items"]
    assert [(c["state"], c["expires_at"]) for c in listed] == [("expired", "2020-01-31")]
