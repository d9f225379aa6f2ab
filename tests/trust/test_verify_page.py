"""/verify/: a form to type a code, a friendly page for an unknown code, and the file check."""

import base64
import json
import time

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from certificates import credentials, signing
from certificates.services import certificate_delete

from .test_pdf_signing import edited


def upload(client, name: str, data: bytes, content_type="application/pdf"):
    return client.post(
        reverse("public:check"), {"file": SimpleUploadedFile(name, data, content_type)}
    )


def test_the_verify_page_has_a_code_form(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html
    assert 'type="file"' in html
    assert 'enctype="multipart/form-data"' in html


def test_typing_a_code_opens_its_page(client, issued):
    response = client.get("/verify/", {"code": f" {issued.code[:8].lower()}-{issued.code[8:]} "})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{issued.code}/"


def test_an_unknown_code_gets_a_friendly_404_with_the_form(client, issued):
    response = client.get("/verify/AAAAAAAAAAAAAAAA/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "No certificate has this code." in html
    assert 'name="code"' in html
    assert 'value="AAAAAAAAAAAAAAAA"' in html


def test_an_unknown_code_is_404_in_ukrainian_too(client, issued):
    client.cookies["django_language"] = "uk"
    response = client.get("/verify/AAAAAAAAAAAAAAAA/", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 404
    assert "Жоден сертифікат не має такого коду." in response.content.decode()


def test_an_intact_pdf_is_named_with_its_state(client, signed_pdf, issued):
    response = upload(client, "certificate.pdf", signed_pdf)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This PDF is an intact, signed certificate." in html
    assert issued.number in html
    assert "Олена Коваленко" in html
    assert "The certificate is valid." in html


def test_an_intact_pdf_of_a_withdrawn_certificate_says_withdrawn(client, signed_pdf, issued, alice):
    certificate_delete(certificate=issued, actor=alice, reason="error")
    html = upload(client, "certificate.pdf", signed_pdf).content.decode()
    assert "The file is intact, but the certificate was withdrawn." in html
    assert "This PDF is an intact, signed certificate." not in html


def test_a_modified_pdf_is_reported_modified_not_valid(client, signed_pdf, issued):
    html = upload(client, "certificate.pdf", edited(signed_pdf)).content.decode()
    assert "This file was modified after it was signed." in html
    assert "intact" not in html.lower().replace("intact, signed certificate", "")
    assert issued.number not in html


def test_junk_is_unreadable_not_an_error(client, issued):
    html = upload(client, "x.pdf", b"\x00\x01garbage" * 100).content.decode()
    assert "This file cannot be read as a certificate." in html


def test_an_intact_credential_file(client, issued):
    data = credentials.credential_jwt(issued).encode()
    html = upload(client, "badge.jwt", data, "text/plain").content.decode()
    assert "This credential is intact and signed." in html
    assert issued.number in html


def test_a_credential_signed_before_a_key_rotation_stays_intact(client, issued, project, alice):
    data = credentials.credential_jwt(issued).encode()
    signing.signing_key_rotate(project=project, actor=alice)

    html = upload(client, "badge.jwt", data, "text/plain").content.decode()

    assert "This credential is intact and signed." in html
    assert issued.number in html
    # And what is downloaded from now on is signed with the new key, intact too.
    fresh = client.get(reverse("public:credential_jwt", args=[issued.code])).content
    assert fresh != data
    html = upload(client, "badge.jwt", fresh, "text/plain").content.decode()
    assert "This credential is intact and signed." in html


def test_a_tampered_credential_is_modified(client, issued):
    header, payload, signature = credentials.credential_jwt(issued).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Doctor of Everything"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = ".".join([header, forged_payload, signature])

    html = upload(client, "badge.jwt", forged.encode(), "text/plain").content.decode()

    assert "This file was modified after it was signed." in html
    assert "Doctor of Everything" not in html


def test_uploads_are_size_limited(client, settings, issued):
    settings.VERIFY_UPLOAD_MAX_BYTES = 1000
    response = upload(client, "big.pdf", b"%PDF-" + b"0" * 2000)
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()


def test_a_body_far_over_the_limit_is_refused_before_it_is_parsed(client, settings):
    settings.VERIFY_UPLOAD_MAX_BYTES = 1000
    response = upload(client, "big.pdf", b"%PDF-" + b"0" * 100_000)
    assert response.status_code == 413
    assert "The file is too large to be a certificate." in response.content.decode()


def test_the_file_check_needs_the_csrf_token(signed_pdf):
    strict = Client(enforce_csrf_checks=True)
    response = upload(strict, "certificate.pdf", signed_pdf)
    assert response.status_code == 403


def test_file_checks_are_rate_limited(client, signed_pdf, settings):
    settings.VERIFY_RATE_LIMIT_PER_MINUTE = 6  # two checks of 3 points each
    # The limit counts per minute; a clock crossing into the next minute between the uploads
    # (a slow check) would open a new window and let the third one through.
    with time_machine.travel(time.time(), tick=False):
        assert upload(client, "c.pdf", signed_pdf).status_code == 200
        assert upload(client, "c.pdf", signed_pdf).status_code == 200
        response = upload(client, "c.pdf", signed_pdf)
    assert response.status_code == 429
    assert "Retry-After" in response


def test_uploads_are_not_stored(client, signed_pdf, tmp_path, settings):
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    upload(client, "certificate.pdf", signed_pdf)
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == before


def test_the_keys_page_publishes_root_and_school_certificates(client, signed_pdf, project):
    from certificates.models import SigningKey

    html = client.get("/verify/keys/").content.decode()
    root = SigningKey.objects.get(kind="root")
    school = SigningKey.objects.get(project=project)
    assert "Root certificate of this site" in html
    assert 'id="school-demo"' in html
    for key in (root, school):
        assert key.fingerprint in html
        assert key.certificate_pem.strip().splitlines()[1] in html
    pem = client.get(reverse("public:key_pem", args=[school.public_id]))
    assert pem.content.decode() == school.certificate_pem
    assert "/verify/keys/" in client.get("/verify/").content.decode()
