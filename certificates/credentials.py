"""Open Badges 3.0: each live certificate as an OpenBadgeCredential, signed as a VC-JWT.

Why VC-JWT (OB 3.0 section 8.2) rather than a Data Integrity proof: the school already has an
X.509 key for its PDFs, and VC-JWT signs with it as it is (RS256, the algorithm every OB 3.0
verifier must support; ES256 for an uploaded P-256 key). The JOSE header carries the public key
(`jwk`, which OB 3.0 verifiers read) and its certificate chain up to the installation root
(`x5c`), so the credential checks offline against the root we publish. A Data Integrity proof
would need an Ed25519 key of its own, a resolvable verification method and RDF canonicalisation
of remote JSON-LD contexts.

The credential's `credentialStatus` points at the school's W3C Bitstring Status List, also a
VC-JWT, whose bit for the certificate is set once the certificate no longer holds: deleted
(withdrawn or replaced) or expired (verification.REVOKED_STATES; statusPurpose "revocation",
final in both cases). A certificate with an expiry date also carries it as `validUntil` (and
the JWT's `exp`), so a verifier refuses an expired credential even offline.
"""

import base64
import gzip
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Project

from . import signing, verification
from .models import Certificate, SigningKey

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
# The Bitstring Status List's minimum size (16 KiB of bits): a list this long hides which
# certificate a verifier asks about among many.
STATUS_LIST_BITS = 131072
ENVELOPE_PREFIX = "data:application/vc+jwt,"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def issuer_id(project: Project) -> str:
    return _absolute(reverse("public:keys")) + f"#school-{project.slug}"


def issuer_profile(project: Project) -> dict:
    return {
        "id": issuer_id(project),
        "type": ["Profile"],
        "name": project.name,
        "url": settings.SITE_URL,
    }


def status_list_position(certificate: Certificate) -> tuple[int, int]:
    """(list number from 1, index in that list) of the certificate's status bit."""
    index = certificate.status_index or 0
    return index // STATUS_LIST_BITS + 1, index % STATUS_LIST_BITS


def status_list_url(project: Project, number: int) -> str:
    return _absolute(reverse("public:status_list", args=[project.slug, number]))


def identity_salt(certificate: Certificate) -> str:
    # Stable per certificate (the credential is built again on each download) and not derivable
    # without the server's secret, so the hash cannot be matched against a list of emails.
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"ob3-salt:{certificate.public_id}".encode(), "sha256").hexdigest()[:32]


def identity_hash(email: str, salt: str) -> str:
    """OB identityHash: sha256 of the identity followed by the salt, lowercase hex."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def credential_of(certificate: Certificate) -> dict:
    """The OpenBadgeCredential (VC data model 2.0, JSON-LD) of an issued certificate."""
    snapshot = certificate.snapshot
    course_certificate = certificate.course_certificate
    project = certificate.project
    subject = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": f"urn:uuid:{course_certificate.public_id}",
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": snapshot.get("certificate_title", ""),
            "description": snapshot.get("course_title", ""),
            "criteria": {"narrative": snapshot.get("course_title", "")},
            "creator": issuer_profile(project),
        },
    }
    email = certificate.contact.email
    if email:
        salt = identity_salt(certificate)
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ]
    number, index = status_list_position(certificate)
    list_url = status_list_url(project, number)
    return {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{certificate.public_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": snapshot.get("certificate_title", ""),
        "description": f"{certificate.number}: {snapshot.get('course_title', '')}",
        "issuer": issuer_profile(project),
        "validFrom": _iso(certificate.issued_at),
        **({"validUntil": _iso(certificate.valid_until)} if certificate.expires_at else {}),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{list_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": list_url,
        },
        "credentialSchema": [{"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _iso(moment) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def _sign(payload: dict, project: Project) -> str:
    key = signing.loaded(signing.school_key(project))
    algorithm = signing.jws_algorithm(key)
    algorithm_class = jwt.get_algorithm_by_name(algorithm)
    headers = {
        "typ": "JWT",
        "jwk": algorithm_class.to_jwk(key.certificate.public_key(), as_dict=True),
        "x5c": [
            _b64(c.public_bytes(serialization.Encoding.DER)) for c in (key.certificate, *key.chain)
        ],
    }
    return jwt.encode(payload, key.private_key, algorithm=algorithm, headers=headers)


def credential_jwt(certificate: Certificate) -> str:
    """The credential as a Compact JWS (OB 3.0 VC-JWT: the claims beside the credential)."""
    credential = credential_of(certificate)
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(certificate.issued_at.timestamp()),
    }
    if certificate.expires_at:
        # VC-JWT: exp is validUntil as a timestamp, so a JWT library refuses it from then on.
        payload["exp"] = int(certificate.valid_until.timestamp())
    return _sign(payload, certificate.project)


def credential_envelope(certificate: Certificate) -> dict:
    """The same signed credential as JSON: a VC 2.0 EnvelopedVerifiableCredential."""
    return {
        "@context": CONTEXTS[0],
        "id": ENVELOPE_PREFIX + credential_jwt(certificate),
        "type": "EnvelopedVerifiableCredential",
    }


# Status list ---------------------------------------------------------------------------


def encode_bits(set_indexes, size: int = STATUS_LIST_BITS) -> str:
    """Bitstring Status List encodedList: GZIP, then multibase base64url (prefix "u").

    Index 0 is the left-most (most significant) bit of the first byte.
    """
    bits = bytearray(size // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(project: Project, number: int) -> dict:
    low = (number - 1) * STATUS_LIST_BITS
    today = timezone.localdate(timezone=project.tzinfo)
    revoked = (
        Certificate.objects.filter(project=project, status_index__gte=low)
        .filter(status_index__lt=low + STATUS_LIST_BITS)
        .filter(verification.revoked_q(today))
        .values_list("status_index", flat=True)
    )
    url = status_list_url(project, number)
    return {
        "@context": [CONTEXTS[0]],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_profile(project),
        "validFrom": _iso(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits(index - low for index in revoked),
        },
    }


def status_list_jwt(project: Project, number: int) -> str:
    credential = status_list_credential(project, number)
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(timezone.now().timestamp()),
    }
    return _sign(payload, project)


# Checking a credential file --------------------------------------------------------------


@dataclass
class CredentialCheck:
    """outcome: intact, modified, foreign (signed, not by us) or unreadable."""

    outcome: str
    signing_key: SigningKey | None = None
    certificate: Certificate | None = None


def token_of(text: str) -> str:
    """The Compact JWS in a .jwt file or in a JSON EnvelopedVerifiableCredential."""
    text = text.strip()
    if text.startswith("{"):
        document = json.loads(text)
        identifier = document.get("id", "") if isinstance(document, dict) else ""
        if not isinstance(identifier, str) or not identifier.startswith(ENVELOPE_PREFIX):
            raise ValueError("not an enveloped VC-JWT")
        return identifier[len(ENVELOPE_PREFIX) :]
    return text


def check_credential(data: bytes) -> CredentialCheck:
    """Check an uploaded credential file; never raises on hostile input."""
    try:
        token = token_of(data.decode("utf-8"))
        header = jwt.get_unverified_header(token)
        leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    except (ValueError, KeyError, IndexError, TypeError, jwt.PyJWTError):
        return CredentialCheck("unreadable")
    signing_key = SigningKey.objects.filter(fingerprint=signing.fingerprint(leaf)).first()
    if signing_key is None:
        return CredentialCheck("foreign")
    certificate = signing.load_certificate(signing_key.certificate_pem)
    try:
        claims = jwt.decode(
            token,
            key=certificate.public_key(),
            algorithms=["RS256", "ES256"],
            # An expired credential is still intact: the page says so and shows its state.
            options={"require": ["iss", "jti", "nbf"], "verify_aud": False, "verify_exp": False},
        )
    except jwt.InvalidSignatureError:
        return CredentialCheck("modified", signing_key)
    except jwt.PyJWTError:
        return CredentialCheck("unreadable", signing_key)
    try:
        public_id = uuid.UUID(str(claims.get("id", "")).removeprefix("urn:uuid:"))
    except ValueError:
        return CredentialCheck("unreadable", signing_key)
    found = (
        Certificate.objects.select_related("replaced_by", "project")
        .filter(public_id=public_id, project_id=signing_key.project_id)
        .first()
    )
    if found is None:
        return CredentialCheck("foreign", signing_key)
    return CredentialCheck("intact", signing_key, found)
