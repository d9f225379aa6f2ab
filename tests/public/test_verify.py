from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from certificates.services import certificate_delete, certificate_issue, certificate_reissue


def verify_url(certificate_or_code):
    code = getattr(certificate_or_code, "code", certificate_or_code)
    return reverse("public:verify", args=[code])


def test_a_valid_certificate_shows_its_public_data(client, issued, contact):
    response = client.get(verify_url(issued))

    assert response.status_code == 200
    html = response.content.decode()
    assert "This certificate is valid." in html
    for text in ("Олена Коваленко", "Certificate of Completion", issued.snapshot["course_title"]):
        assert text in html
    assert issued.number in html
    assert "Demo School" in html
    assert timezone.localdate(issued.issued_at).strftime("%Y") in html
    assert contact.email not in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"


def test_it_needs_no_login_and_accepts_any_case(client, issued):
    response = client.get(verify_url(issued.code.lower()))
    assert response.status_code == 200
    assert issued.number in response.content.decode()


def test_an_unknown_code_is_404(client, issued):
    assert client.get(verify_url("AAAAAAAAAAAAAAAA")).status_code == 404


def test_a_withdrawn_certificate_says_so(client, issued, alice):
    certificate_delete(certificate=issued, actor=alice, reason="Name misspelled")
    issued.refresh_from_db()

    response = client.get(verify_url(issued))

    assert response.status_code == 200
    html = response.content.decode()
    date = date_format(timezone.localtime(issued.deleted_at), "DATE_FORMAT")
    assert f"This certificate was withdrawn on {date}." in html
    assert "This certificate is valid." not in html
    assert issued.number in html
    assert "Name misspelled" not in html  # the staff's reason is internal
    assert "Олена Коваленко" not in html
    assert "replaced by" not in html


def test_a_reissued_certificate_links_to_its_replacement(client, issued, alice):
    new = certificate_reissue(certificate=issued, actor=alice, reason="template fixed")

    html = client.get(verify_url(issued)).content.decode()

    assert "withdrawn" in html
    assert f'href="{verify_url(new)}"' in html
    assert new.number in html
    assert "This certificate is valid." in client.get(verify_url(new)).content.decode()


def test_json_for_machines(client, issued):
    for response in (
        client.get(verify_url(issued), headers={"Accept": "application/json"}),
        client.get(verify_url(issued) + "?format=json"),
    ):
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "status": "valid",
            "number": issued.number,
            "participant_name": "Олена Коваленко",
            "certificate_title": "Certificate of Completion",
            "course_title": issued.snapshot["course_title"],
            "school": "Demo School",
            "issued_on": issued.snapshot["issued_on"],
            "verification_url": issued.snapshot["verification_url"],
        }


def test_browsers_get_html(client, issued):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(verify_url(issued), headers={"Accept": accept})
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_json_of_a_withdrawn_and_replaced_certificate(client, issued, alice, contact, course):
    certificate_delete(certificate=issued, actor=alice)
    new, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    issued.refresh_from_db()

    data = client.get(verify_url(issued) + "?format=json").json()

    assert data["status"] == "replaced"
    assert data["withdrawn_on"] == timezone.localdate(issued.deleted_at).isoformat()
    assert data["replaced_by"] == {
        "number": new.number,
        "verification_url": new.snapshot["verification_url"],
    }
    assert "participant_name" not in data


def test_json_for_an_unknown_code(client, db):
    response = client.get(verify_url("AAAAAAAAAAAAAAAA") + "?format=json")
    assert response.status_code == 404
    assert response.json() == {"status": "unknown"}


def test_it_rejects_post(client, issued):
    assert client.post(verify_url(issued)).status_code == 405


# Rate limit -----------------------------------------------------------------------------


def test_lookups_beyond_the_limit_get_429(client, issued, settings):
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert client.get(verify_url(issued)).status_code == 200

    response = client.get(verify_url(issued))

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    json = client.get(verify_url(issued) + "?format=json")
    assert json.status_code == 429
    assert json.json()["status"] == "rate_limited"


def test_unknown_codes_use_up_the_limit_faster(client, issued, settings):
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 10
    for _ in range(2):
        assert client.get(verify_url("AAAAAAAAAAAAAAAA")).status_code == 404

    assert client.get(verify_url(issued)).status_code == 429


def test_the_limit_is_per_client(client, issued, settings):
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 1
    assert client.get(verify_url(issued), REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(verify_url(issued), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(verify_url(issued), REMOTE_ADDR="10.0.0.2").status_code == 200
