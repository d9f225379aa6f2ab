"""Is this file one of our certificates? The check behind the verification page's upload.

A PDF is checked by its signature (pyHanko), an Open Badge credential by its VC-JWT signature.
Either way the file is read in memory, checked and dropped: nothing uploaded is stored.
"""

from dataclasses import dataclass

from . import credentials, signing, verification
from .models import Certificate, SigningKey

# Outcomes, from the best to the worst news.
INTACT = "intact"  # signed by one of our keys, unchanged: `certificate` says which
MODIFIED = "modified"  # signed, then changed: what it says cannot be trusted
FOREIGN = "foreign"  # signed, but not by a key of this installation (or not a certificate)
UNSIGNED = "unsigned"  # a readable PDF with no signature
UNREADABLE = "unreadable"  # not a PDF or credential we can read


@dataclass
class FileCheck:
    outcome: str
    kind: str  # "pdf" or "credential"
    certificate: Certificate | None = None
    signing_key: SigningKey | None = None

    @property
    def state(self) -> str | None:
        return verification.public_state(self.certificate) if self.certificate else None


def _looks_like_pdf(data: bytes) -> bool:
    # The header may follow up to 1 KiB of junk (PDF 1.7, 7.5.2); readers accept that.
    return b"%PDF-" in data[:1024]


def check_file(data: bytes) -> FileCheck:
    if _looks_like_pdf(data):
        result = signing.check_pdf(data)
        if result.outcome != INTACT:
            return FileCheck(result.outcome, "pdf", signing_key=result.signing_key)
        certificate = verification.certificate_by_code(
            verification.code_from_url(result.verification_url),
            project_id=result.signing_key.project_id,
        )
        if certificate is None:
            return FileCheck(FOREIGN, "pdf", signing_key=result.signing_key)
        return FileCheck(INTACT, "pdf", certificate, result.signing_key)
    result = credentials.check_credential(data)
    return FileCheck(result.outcome, "credential", result.certificate, result.signing_key)
