"""An expiring certificate's Open Badge: `validUntil` (and the VC-JWT's `exp`) say when it
expires, and its status bit is set from the expiry date on, as it is once deleted.

The status list is decoded here from the spec, not with the app's code: GZIP, multibase
base64url (prefix "u"), index 0 = the most significant bit of the first byte.
"""

import base64
import datetime
import gzip
from zoneinfo import ZoneInfo

import jsonschema
import jwt
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates.models import Certificate, CourseCertificate
from certificates.services import (
    CertificateError,
    certificate_delete,
    certificate_extend_expiry,
    certificate_issue,
    certificate_renew,
)
from tests.factories import AccessFactory

from .test_credentials import SCHEMA, b64url_json, verified_claims

KYIV = ZoneInfo("Europe/Kyiv")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=KYIV)


@pytest.fixture
def clock():
    """The machine's clock (timezone.now, and PyJWT's own reading of the time)."""
    with time_machine.travel(at(2027, 1, 10, 12), tick=False) as traveller:
        yield traveller


@pytest.fixture
def expiring(clock, contact, course, alice):
    """Issued on 10 Jan 2027 for a course whose certificates expire on 1 Mar 2027."""
    CourseCertificate.objects.filter(course=course).update(
        expiry="date", expiry_date=datetime.date(2027, 3, 1)
    )
    course.certificate.refresh_from_db()
    AccessFactory(contact=contact, course=course, starts_at=at(2020, 1, 1))
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    return certificate


def credential_token(client, certificate) -> str:
    response = client.get(reverse("public:credential_jwt", args=[certificate.code]))
    assert response.status_code == 200
    return response.content.decode()


def published_bit(client, credential: dict) -> int:
    """The credential's bit in the status list the app publishes, decoded per the spec."""
    status = credential["credentialStatus"]
    response = client.get(status["statusListCredential"].removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    status_list = verified_claims(response.content.decode())
    subject = status_list["credentialSubject"]
    assert subject["statusPurpose"] == status["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")
    body = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    index = int(status["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_valid_until_and_exp_are_the_start_of_the_expiry_date(client, expiring):
    token = credential_token(client, expiring)
    claims = verified_claims(token)
    credential = {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "exp")}

    jsonschema.Draft201909Validator(SCHEMA).validate(credential)
    # Midnight of 1 Mar 2027 in Kyiv (UTC+2): expired from the expiry date on.
    assert credential["validUntil"] == "2027-02-28T22:00:00Z"
    assert claims["exp"] == int(datetime.datetime(2027, 2, 28, 22, tzinfo=datetime.UTC).timestamp())
    assert credential["validFrom"] == "2027-01-10T10:00:00Z"


def test_a_certificate_that_never_expires_has_no_valid_until(client, issued):
    payload = b64url_json(credential_token(client, issued).split(".")[1])
    assert "validUntil" not in payload
    assert "exp" not in payload


def test_a_jwt_library_refuses_the_credential_once_expired(client, expiring, clock):
    token = credential_token(client, expiring)
    clock.move_to(at(2027, 3, 1, 0, 0, 1))
    with pytest.raises(jwt.ExpiredSignatureError):
        verified_claims(token)


def test_the_status_bit_is_set_from_the_expiry_date_on_and_after_deletion(
    client, expiring, clock, alice
):
    credential = verified_claims(credential_token(client, expiring))
    assert published_bit(client, credential) == 0

    clock.move_to(at(2027, 2, 28, 23, 59))  # the last minute before the expiry date
    assert published_bit(client, credential) == 0

    clock.move_to(at(2027, 3, 1, 0, 1))  # the expiry date has come
    assert published_bit(client, credential) == 1

    certificate_delete(certificate=expiring, actor=alice, category="issued_in_error")
    assert published_bit(client, credential) == 1


def test_a_live_certificate_deleted_has_its_bit_set(client, expiring, alice):
    credential = verified_claims(credential_token(client, expiring))
    certificate_delete(certificate=expiring, actor=alice, category="misconduct")
    assert published_bit(client, credential) == 1


def test_renewal_gives_a_new_credential_with_a_clear_bit(client, expiring, clock, alice, course):
    old = verified_claims(credential_token(client, expiring))
    clock.move_to(at(2027, 3, 2, 12))
    CourseCertificate.objects.filter(course=course).update(
        expiry="date", expiry_date=datetime.date(2028, 3, 1)
    )

    renewed = certificate_renew(certificate=expiring, actor=alice)

    new = verified_claims(credential_token(client, renewed))
    assert new["credentialStatus"]["statusListIndex"] != old["credentialStatus"]["statusListIndex"]
    assert published_bit(client, old) == 1
    assert published_bit(client, new) == 0
    assert new["validUntil"] == "2028-02-29T22:00:00Z"


def test_an_expired_certificate_offers_no_credential_to_download(client, expiring, clock):
    clock.move_to(at(2027, 3, 1, 12))
    assert client.get(reverse("public:credential_json", args=[expiring.code])).status_code == 404


def test_expiry_is_final_for_the_bit_an_expired_certificate_is_renewed_not_extended(
    expiring, clock, alice
):
    # A "revocation" bit is never cleared again; extending after expiry would clear it.
    clock.move_to(at(2027, 3, 1, 12))
    with pytest.raises(CertificateError, match="renew it instead"):
        certificate_extend_expiry(
            certificate=expiring, actor=alice, new_date=datetime.date(2027, 9, 1), reason="Late"
        )
    assert Certificate.objects.get(pk=expiring.pk).expires_at == datetime.date(2027, 3, 1)


def test_an_extension_before_expiry_moves_valid_until(client, expiring, clock, alice):
    certificate_extend_expiry(
        certificate=expiring, actor=alice, new_date=datetime.date(2027, 9, 1), reason="Audit"
    )
    credential = verified_claims(credential_token(client, expiring))
    assert credential["validUntil"] == "2027-08-31T21:00:00Z"  # Kyiv is UTC+3 in summer
    clock.move_to(at(2027, 3, 1, 12))
    assert published_bit(client, credential) == 0


def test_an_expired_credential_file_is_intact_and_says_expired(client, expiring, clock):
    token = credential_token(client, expiring)
    clock.move_to(at(2027, 3, 2, 12))

    response = client.post(
        reverse("public:check"),
        {"file": SimpleUploadedFile("badge.jwt", token.encode(), "text/plain")},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The file is intact, but the certificate has expired." in html
    assert "The certificate expired on 1 Mar 2027." in html
    assert "Expired on" in html
    assert expiring.number in html
    assert "withdrew" not in html
