"""What the public may know about a certificate, in one place.

The verification page, its JSON, the Open Badge's status list and the file check all take a
certificate's public state from `public_state`, so a new state (an expiry date, say) is added
here once and every one of them follows.
"""

from django.db.models import Q
from django.utils import timezone

from .models import Certificate, expired_q
from .services import verification_url

VALID = Certificate.State.VALID
EXPIRED = Certificate.State.EXPIRED
WITHDRAWN = Certificate.State.WITHDRAWN
REPLACED = Certificate.State.REPLACED
# States in which the Open Badge's status bit is set: the credential no longer holds. The
# bit's statusPurpose is "revocation", which the Bitstring Status List says is final: a deleted
# certificate stays deleted, and an expired one stays expired (staff extend an expiry only
# before it comes; after it, they renew, which issues a new certificate with a new bit).
REVOKED_STATES = frozenset({EXPIRED, WITHDRAWN, REPLACED})


def revoked_q(today) -> Q:
    """The same rule as a query, for the status list built over thousands of certificates at
    once; `today` is the school's today (Certificate.local_today). It must select exactly the
    certificates `is_revoked` says yes to (a test holds them equal)."""
    return Q(deleted_at__isnull=False) | expired_q(today)


def public_state(certificate: Certificate) -> Certificate.State:
    """The certificate's public state (Certificate.state): valid, expired, withdrawn or
    replaced."""
    return certificate.state


def is_revoked(certificate: Certificate) -> bool:
    return public_state(certificate) in REVOKED_STATES


def public_data(certificate: Certificate) -> dict:
    """What anyone holding the code may see: no email, phone or other personal data.

    `status` is the public state: valid, expired, withdrawn, or replaced (with the
    replacement). A withdrawal says its public category (`withdrawal_reason`), never the
    free-text reason staff typed.
    """
    snapshot = certificate.snapshot
    state = public_state(certificate)
    data = {
        "status": state.value,
        "number": certificate.number,
        "certificate_title": snapshot.get("certificate_title", ""),
        "course_title": snapshot.get("course_title", ""),
        "school": snapshot.get("school_name", ""),
        "issued_on": snapshot.get("issued_on", ""),
        "verification_url": verification_url(certificate.code),
    }
    if certificate.expires_at:
        data["expires_on"] = certificate.expires_at.isoformat()
    if state in (VALID, EXPIRED):
        data["participant_name"] = snapshot.get("participant_name", "")
        return data
    data["withdrawn_on"] = timezone.localdate(certificate.deleted_at).isoformat()
    data["withdrawal_reason"] = certificate.delete_category or None
    if state == REPLACED:
        replacement = certificate.replaced_by
        data["replaced_by"] = {
            "number": replacement.number,
            "verification_url": verification_url(replacement.code),
        }
    return data


def normalise_code(code: str) -> str:
    # Codes are uppercase base32; people retype them in any case, with spaces or dashes.
    return code.strip().upper().replace("-", "").replace(" ", "")


def could_be_code(code: str) -> bool:
    """Whether a normalised code has the shape of one: letters and digits, nothing else."""
    return code.isascii() and code.isalnum()


def code_from_url(url: str) -> str:
    """The code in a verification URL (…/verify/<code>/), or ''."""
    parts = [part for part in url.split("?")[0].split("/") if part]
    if len(parts) >= 2 and parts[-2] == "verify":
        return normalise_code(parts[-1])
    return ""


def certificate_by_code(code: str, *, project_id=None) -> Certificate | None:
    certificates = Certificate.objects.select_related("replaced_by", "project")
    if project_id is not None:
        certificates = certificates.filter(project_id=project_id)
    code = normalise_code(code)
    if not could_be_code(code):
        return None  # nothing to look up (and PostgreSQL refuses a NUL outright)
    return certificates.filter(code=code).first()
