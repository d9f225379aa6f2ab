"""Settings → Signing key: owners and admins see the key, rotate it, or upload their own."""

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates import signing
from certificates.models import SigningKey
from certificates.services import certificate_issue, certificate_pdf
from tests.factories import AccessFactory, ContactFactory, MembershipFactory, UserFactory


def own_p12(password: bytes = b"secret", *, days=365) -> tuple[bytes, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Demo School own key")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"own", key, cert, None, BestAvailableEncryption(password)
    )
    return data, cert


def url(name, project):
    return reverse(f"staff:{name}", args=[project.slug])


def test_the_page_shows_the_key_in_use(client, alice, project, signed_pdf):
    client.force_login(alice)
    html = client.get(url("signing_keys", project)).content.decode()
    key = SigningKey.objects.get(project=project)
    assert key.fingerprint in html
    assert "Rotate key…" in html


def test_rotating_asks_first_then_keeps_the_old_key(client, alice, project, signed_pdf):
    client.force_login(alice)
    old = SigningKey.objects.get(project=project)
    html = client.get(url("signing_keys", project) + "?rotate=1").content.decode()
    assert "Replace the signing key?" in html
    assert SigningKey.objects.filter(project=project).count() == 1

    response = client.post(url("signing_key_rotate", project))

    assert response.status_code == 302
    assert SigningKey.objects.filter(project=project).count() == 2
    old.refresh_from_db()
    assert old.retired_at is not None
    assert signing.check_pdf(signed_pdf).outcome == "intact"


def test_an_owner_uploads_a_pkcs12_and_new_pdfs_are_signed_with_it(
    client, alice, project, course, signed_pdf
):
    client.force_login(alice)
    data, cert = own_p12()
    response = client.post(
        url("signing_key_upload", project),
        {"file": SimpleUploadedFile("own.p12", data), "password": "secret"},
    )
    assert response.status_code == 302
    current = SigningKey.objects.get(project=project, retired_at__isnull=True)
    assert current.source == "uploaded"
    assert current.fingerprint == cert.fingerprint(hashes.SHA256()).hex()
    assert b"BEGIN" not in bytes(current.encrypted_private_key)

    other = ContactFactory(project=project, name="Taras", email="taras@example.com")
    AccessFactory(contact=other, course=course)
    second, _created = certificate_issue(contact=other, course=course, actor=alice, force=True)
    second.refresh_from_db()
    check = signing.check_pdf(certificate_pdf(certificate=second))
    assert (check.outcome, check.signing_key) == ("intact", current)
    assert signing.check_pdf(signed_pdf).outcome == "intact"  # the earlier key still counts


def test_a_wrong_password_is_a_clear_message(client, alice, project):
    client.force_login(alice)
    data, _cert = own_p12()
    response = client.post(
        url("signing_key_upload", project),
        {"file": SimpleUploadedFile("own.p12", data), "password": "wrong"},
    )
    assert response.status_code == 400
    assert "This is not a PKCS#12 (.p12, .pfx) file, or the password is wrong." in (
        response.content.decode()
    )
    assert not SigningKey.objects.filter(project=project).exists()


def test_an_expired_certificate_is_refused(client, alice, project):
    client.force_login(alice)
    data, _cert = own_p12(days=-0)  # valid until "now": past by the time it is checked
    response = client.post(
        url("signing_key_upload", project),
        {"file": SimpleUploadedFile("own.p12", data), "password": "secret"},
    )
    assert "The certificate in the file is not valid today." in response.content.decode()


def test_junk_is_refused(client, alice, project):
    client.force_login(alice)
    response = client.post(
        url("signing_key_upload", project),
        {"file": SimpleUploadedFile("own.p12", b"junk"), "password": ""},
    )
    assert response.status_code == 400


def test_managers_and_other_schools_get_404(client, project, charlie):
    manager = UserFactory(email="manager@example.com")
    MembershipFactory(project=project, user=manager, role="manager")
    for user in (manager, charlie):
        client.force_login(user)
        assert client.get(url("signing_keys", project)).status_code == 404
        assert client.post(url("signing_key_rotate", project)).status_code == 404
    assert not SigningKey.objects.filter(project=project).exists()
