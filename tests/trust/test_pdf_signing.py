"""Every issued PDF is a signed PDF/A-3b that standard validators report intact, and an edited
copy modified; rotating the key keeps earlier PDFs valid."""

import io
import subprocess

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certificates import rendering, signing
from certificates.models import SigningKey
from certificates.services import certificate_issue, certificate_pdf
from tests.factories import AccessFactory, ContactFactory


def pdfsig(tmp_path, data: bytes) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


def edited(data: bytes) -> bytes:
    """One byte changed inside the first signed range (inside the page's content)."""
    position = data.index(b"stream", 2000) + 40  # a compressed stream body, well before /Contents
    copy = bytearray(data)
    copy[position] ^= 0x01
    return bytes(copy)


def pyhanko_status(data: bytes):
    root = SigningKey.objects.get(kind="root")
    der = x509.load_pem_x509_certificate(root.certificate_pem.encode()).public_bytes(Encoding.DER)
    trust = asn1_x509.Certificate.load(der)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=[trust], allow_fetching=False)
    )


def test_a_fresh_pdf_is_reported_intact_by_pdfsig_and_pyhanko(signed_pdf, tmp_path, project):
    report = pdfsig(tmp_path, signed_pdf)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signer Certificate Common Name: Demo School (certificate signing)" in report
    assert "ETSI.CAdES.detached" in report  # PAdES

    status = pyhanko_status(signed_pdf)
    assert status.intact and status.valid
    assert status.trusted  # chains to the installation root
    assert status.coverage.name == "ENTIRE_FILE"


def test_an_edited_pdf_is_reported_modified(signed_pdf, tmp_path):
    changed = edited(signed_pdf)

    assert "Signature Validation: Digest Mismatch." in pdfsig(tmp_path, changed)
    status = pyhanko_status(changed)
    assert not status.intact
    assert signing.check_pdf(changed).outcome == "modified"


def test_the_pdf_is_pdfa_3b_with_metadata(signed_pdf, issued, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(signed_pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert f"Title:           Certificate of Completion {issued.number}" in info
    assert "Author:          Demo School" in info
    url = f"http://127.0.0.1:8000/verify/{issued.code}/"
    assert f"Subject:         Олена Коваленко — {issued.snapshot['course_title']} — {url}" in info
    assert f"Keywords:        {url}" in info
    reader = PdfFileReader(io.BytesIO(signed_pdf), strict=False)
    # The XMP packet (kept up to date by the signature's incremental update) says PDF/A-3B.
    xmp = reader.root["/Metadata"].get_object().data.decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert "<rdf:li>Demo School</rdf:li>" in xmp
    assert str(reader.trailer_view["/Info"]["/VerificationURL"]) == url


def test_keys_are_stored_encrypted_and_chain_to_one_root(signed_pdf, project):
    root = SigningKey.objects.get(kind="root")
    school = SigningKey.objects.get(project=project)
    assert SigningKey.objects.count() == 2
    for key in (root, school):
        assert b"PRIVATE KEY" not in bytes(key.encrypted_private_key)
        assert bytes(key.encrypted_private_key)[:4] != b"\x30\x82"  # not raw DER either
    school_cert = x509.load_pem_x509_certificate(school.certificate_pem.encode())
    root_cert = x509.load_pem_x509_certificate(root.certificate_pem.encode())
    school_cert.verify_directly_issued_by(root_cert)
    assert school.not_after > school.not_before


def test_a_wrong_encryption_key_refuses_to_sign(signed_pdf, project, settings):
    signing._cache.clear()
    settings.SIGNING_KEY_ENCRYPTION_KEY = "another key"
    with pytest.raises(signing.SigningError, match="SIGNING_KEY_ENCRYPTION_KEY"):
        signing.sign_pdf(signed_pdf, project=project)
    signing._cache.clear()


def test_rotation_keeps_old_pdfs_valid(signed_pdf, project, course, alice, tmp_path):
    old_key = SigningKey.objects.get(project=project)
    new_key = signing.signing_key_rotate(project=project, actor=alice)
    old_key.refresh_from_db()
    assert old_key.retired_at is not None
    assert new_key.is_current and new_key.fingerprint != old_key.fingerprint

    other = ContactFactory(project=project, name="Taras", email="taras@example.com")
    AccessFactory(contact=other, course=course)
    second, _created = certificate_issue(contact=other, course=course, actor=alice, force=True)
    second.refresh_from_db()
    second_pdf = certificate_pdf(certificate=second)

    old = signing.check_pdf(signed_pdf)
    assert (old.outcome, old.signing_key) == ("intact", old_key)
    new = signing.check_pdf(second_pdf)
    assert (new.outcome, new.signing_key) == ("intact", new_key)
    assert "Signature is Valid." in pdfsig(tmp_path, signed_pdf)


def test_a_pdf_signed_elsewhere_is_foreign(signed_pdf, project, settings):
    # Seen by another installation: its database holds none of the keys that signed the PDF.
    pdf_from_elsewhere = signed_pdf
    SigningKey.objects.filter(project=project).delete()
    SigningKey.objects.filter(kind="root").delete()
    assert signing.check_pdf(pdf_from_elsewhere).outcome == "foreign"


def test_an_unsigned_pdf_and_junk(issued):
    unsigned = rendering.render_certificate(issued)
    assert signing.check_pdf(unsigned).outcome == "unsigned"
    assert signing.check_pdf(b"%PDF-1.7\n garbage").outcome in ("unreadable", "unsigned")
    assert signing.check_pdf(b"not a pdf at all").outcome in ("unreadable", "unsigned")


def test_later_signatures_of_a_key_are_byte_for_byte_what_pyhanko_builds(project):
    """After a key's first signature its CMS is filled in from a template (signing.CmsTemplate):
    the same DER pyHanko makes for the same digest, and a PDF signed so is valid."""
    import asyncio
    import hashlib

    from pyhanko.sign import signers

    key = signing.loaded(signing.school_key(project))
    digest = hashlib.sha256(b"another certificate").digest()
    kind = ("sha256", True, True)
    pdf = rendering.render_pdf(
        school_id=project.id,
        html="<p>{{ participant_name }}</p>",
        css="",
        page_size="A4",
        orientation="landscape",
        values={"participant_name": "Олена"},
    )
    first = signing.sign_pdf(pdf, project=project)  # pyHanko builds the CMS, and the template
    assert key.signer._templates[kind] is not None

    templated = asyncio.run(key.signer.async_sign(digest, "sha256", use_pades=True))
    built = asyncio.run(
        signers.SimpleSigner.async_sign(key.signer, digest, "sha256", use_pades=True)
    )
    assert templated.dump() == built.dump()

    second = signing.sign_pdf(pdf, project=project)  # from the template
    assert second != first  # another digest (the modification time) and signature
    for data in (first, second):
        status = pyhanko_status(data)
        assert status.intact and status.valid and status.trusted
        assert status.coverage.name == "ENTIRE_FILE"
    assert signing.check_pdf(second).outcome == "intact"


def _time_stamping_authority():
    """A throwaway time-stamping authority: a self-signed certificate for time stamping."""
    import datetime

    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return (
        asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        ),
    )


def test_a_configured_time_stamping_server_adds_a_timestamp(issued, project, settings, monkeypatch):
    """PAdES B-T: with SIGNING_TSA_URL set, the signature carries a timestamp token from it."""
    from pyhanko.sign import timestamps
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    tsa_certificate, tsa_key = _time_stamping_authority()
    asked = []

    def http_time_stamper(url, timeout):
        asked.append((url, timeout))
        return DummyTimeStamper(tsa_cert=tsa_certificate, tsa_key=tsa_key)

    monkeypatch.setattr(timestamps, "HTTPTimeStamper", http_time_stamper)
    settings.SIGNING_TSA_URL = "https://tsa.example.org/"
    issued.refresh_from_db()

    signed = signing.sign_pdf(rendering.render_certificate(issued), project=project)

    assert asked == [("https://tsa.example.org/", 10)]
    status = pyhanko_status(signed)
    assert status.intact and status.valid
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact
    assert signing.check_pdf(signed).outcome == "intact"


def test_without_a_time_stamping_server_there_is_no_timestamp(signed_pdf, settings):
    assert settings.SIGNING_TSA_URL == ""
    assert pyhanko_status(signed_pdf).timestamp_validity is None
