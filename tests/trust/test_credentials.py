"""Open Badges 3.0: the credential validates against the vendored OB 3.0 schema, its VC-JWT
signature checks with the school's key up to the installation root, and its status bit flips
when the certificate is withdrawn (or expires: test_credential_expiry)."""

import base64
import datetime
import gzip
import hashlib
import json
from pathlib import Path

import jsonschema
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.urls import reverse
from django.utils import timezone

from certificates import credentials, verification
from certificates.models import Certificate, SigningKey
from certificates.services import certificate_delete, certificate_issue
from tests.factories import AccessFactory, ContactFactory, UserFactory

SCHEMA = json.loads(
    (Path(__file__).parent / "schema" / "ob_v3p0_achievementcredential.json").read_text()
)


def b64url_json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def verified_claims(token: str) -> dict:
    """Verify as an offline verifier would: the x5c leaf's key, the leaf issued by the root."""
    header = b64url_json(token.split(".")[0])
    chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    root = x509.load_pem_x509_certificate(
        SigningKey.objects.get(kind="root").certificate_pem.encode()
    )
    chain[0].verify_directly_issued_by(root)
    assert chain[-1] == root
    return jwt.decode(token, key=chain[0].public_key(), algorithms=[header["alg"]])


def status_bit(client, credential: dict) -> bool:
    """Fetch the status list the credential names and read its bit (spec: gzip, base64url,
    index 0 = the most significant bit of the first byte)."""
    status = credential["credentialStatus"]
    path = status["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    status_list = verified_claims(response.content.decode())
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"  # multibase base64url
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) == 16384  # 131,072 bits: the spec's minimum
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


@pytest.fixture
def token(client, issued) -> str:
    response = client.get(reverse("public:credential_jwt", args=[issued.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_credential_is_a_valid_ob3_open_badge_credential(token, issued):
    claims = verified_claims(token)
    credential = {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf")}

    jsonschema.Draft201909Validator(SCHEMA).validate(credential)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["id"] == f"urn:uuid:{issued.public_id}"
    assert credential["issuer"] == {
        "id": "http://127.0.0.1:8000/verify/keys/#school-demo",
        "type": ["Profile"],
        "name": "Demo School",
        "url": "http://127.0.0.1:8000",
    }
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Certificate of Completion"
    assert achievement["id"] == f"urn:uuid:{issued.course_certificate.public_id}"
    # VC-JWT claims mirror the credential (OB 3.0, 8.2.4).
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["jti"] == credential["id"]
    assert claims["nbf"] == int(issued.issued_at.timestamp())


def test_the_jose_header_carries_the_public_key_and_chain(token, project):
    header = b64url_json(token.split(".")[0])
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    assert "d" not in header["jwk"]  # never the private key
    school = SigningKey.objects.get(project=project)
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    assert leaf.fingerprint(hashes.SHA256()).hex() == school.fingerprint
    assert len(header["x5c"]) == 2  # the school's certificate, then the root


def test_the_recipient_is_a_salted_email_hash(token, issued):
    subject = verified_claims(token)["credentialSubject"]
    [identity] = subject["identifier"]
    salt = identity["salt"]
    assert len(salt) == 32
    expected = "sha256$" + hashlib.sha256(("olena@example.com" + salt).encode()).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": expected,
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }
    assert "olena@example.com" not in json.dumps(subject)


def test_the_status_bit_flips_when_the_certificate_is_withdrawn(client, token, issued, alice):
    credential = verified_claims(token)
    assert credential["credentialStatus"]["statusListIndex"] == str(issued.status_index)
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    assert status_bit(client, credential) is False

    certificate_delete(certificate=issued, actor=alice, reason="error")

    assert status_bit(client, credential) is True


def test_the_status_list_sets_exactly_the_revoked_certificates(project, course, alice):
    today = timezone.localdate(timezone=project.tzinfo)
    tomorrow = today + datetime.timedelta(days=1)
    made = {}
    for label, expires_at in [
        ("live", None),
        ("deleted", None),
        ("expired today", today),
        ("expires tomorrow", tomorrow),
    ]:
        contact = ContactFactory(project=project)
        AccessFactory(contact=contact, course=course)
        made[label], _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
        Certificate.objects.filter(pk=made[label].pk).update(expires_at=expires_at)
    certificate_delete(certificate=made["deleted"], actor=alice, reason="error")

    # The query behind the list and the per-certificate rule agree.
    revoked_by_query = set(
        Certificate.objects.filter(verification.revoked_q(today)).values_list("pk", flat=True)
    )
    by_rule = {c.pk for c in Certificate.objects.all() if verification.is_revoked(c)}
    assert revoked_by_query == by_rule == {made["deleted"].pk, made["expired today"].pk}
    bits = credentials.decode_bits(
        credentials.status_list_credential(project, 1)["credentialSubject"]["encodedList"]
    )
    set_bits = [i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))]
    assert set_bits == sorted(
        Certificate.objects.get(pk=made[label].pk).status_index
        for label in ("deleted", "expired today")
    )


def test_bit_order_is_most_significant_first():
    assert credentials.decode_bits(credentials.encode_bits([0, 9], size=16)) == bytes(
        [0b1000_0000, 0b0100_0000]
    )


def test_credential_json_is_an_enveloped_credential(client, issued, token):
    response = client.get(reverse("public:credential_json", args=[issued.code]))
    assert response.status_code == 200
    document = response.json()
    assert document["type"] == "EnvelopedVerifiableCredential"
    assert document["@context"] == "https://www.w3.org/ns/credentials/v2"
    assert document["id"].startswith("data:application/vc+jwt,")
    inner = document["id"].removeprefix("data:application/vc+jwt,")
    assert verified_claims(inner)["id"] == f"urn:uuid:{issued.public_id}"


def test_no_credential_for_a_withdrawn_or_unknown_certificate(client, issued, alice):
    assert client.get("/verify/AAAAAAAAAAAAAAAA/credential.json").status_code == 404
    certificate_delete(certificate=issued, actor=alice, reason="error")
    assert client.get(reverse("public:credential_json", args=[issued.code])).status_code == 404


def test_my_certificates_links_the_credential(client, issued, contact):
    user = UserFactory(email="olena@example.com")
    contact.user = user
    contact.save()
    client.force_login(user)
    html = client.get(reverse("portal:certificates")).content.decode()
    assert f'href="/verify/{issued.code}/credential.json"' in html


def test_an_unknown_school_has_no_status_list(client, db):
    assert client.get("/verify/status/nowhere/1/").status_code == 404
