"""The README's offline check of an Open Badge (scripts/verify_credential.py): a third party
with the published root, the credential file and the school's status list, and no web page."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from certificates.models import SigningKey
from certificates.services import certificate_delete

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_credential.py"


def run(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, files)], capture_output=True, text=True, timeout=60
    )


def downloads(client, issued, tmp_path) -> tuple[Path, Path, Path]:
    badge = tmp_path / f"{issued.number}.json"
    badge.write_bytes(client.get(reverse("public:credential_json", args=[issued.code])).content)
    root = tmp_path / "root.pem"  # the first signature created it
    root_key = SigningKey.objects.get(kind="root")
    root.write_bytes(client.get(reverse("public:key_pem", args=[root_key.public_id])).content)
    return root, badge, tmp_path / "status.jwt"


def fetch_status_list(client, issued, path: Path) -> Path:
    response = client.get(reverse("public:status_list", args=[issued.project.slug, 1]))
    path.write_bytes(response.content)
    return path


def test_an_intact_credential_in_force(client, issued, tmp_path):
    root, badge, status = downloads(client, issued, tmp_path)
    fetch_status_list(client, issued, status)

    result = run(root, badge, status)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature: intact, signed by Demo School" in result.stdout
    assert f"({issued.number}: " in result.stdout
    assert f"Status (revocation) bit {issued.status_index}: 0 (in force)" in result.stdout
    assert result.stdout.rstrip().endswith("VALID")


def test_without_the_status_list_it_says_where_to_get_it(client, issued, tmp_path):
    root, badge, _status = downloads(client, issued, tmp_path)
    result = run(root, badge)
    assert result.returncode == 0
    assert "Status: not checked; fetch http://127.0.0.1:8000/verify/status/demo/1/" in result.stdout


def test_a_withdrawn_certificate_is_not_valid(client, issued, alice, tmp_path):
    root, badge, status = downloads(client, issued, tmp_path)
    certificate_delete(certificate=issued, actor=alice, category="misconduct")
    fetch_status_list(client, issued, status)

    result = run(root, badge, status)

    assert result.returncode == 1
    assert "1 (REVOKED)" in result.stdout
    assert result.stdout.rstrip().endswith("NOT VALID")


def test_an_edited_credential_is_not_valid(client, issued, tmp_path):
    root, badge, _status = downloads(client, issued, tmp_path)
    envelope = json.loads(badge.read_text())
    token = envelope["id"].removeprefix("data:application/vc+jwt,")
    _header, payload, _signature = token.split(".")
    # One character of the signed claims changed.
    changed = payload[:40] + ("A" if payload[40] != "A" else "B") + payload[41:]
    envelope["id"] = envelope["id"].replace(payload, changed)
    badge.write_text(json.dumps(envelope))

    result = run(root, badge)

    assert result.returncode == 1
    assert "NOT VALID: the signature does not check" in result.stdout


def test_another_root_is_not_trusted(client, issued, tmp_path):
    _root, badge, _status = downloads(client, issued, tmp_path)
    stranger = tmp_path / "stranger.pem"
    # Someone else's root: the chain must not check against it.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Installation root")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    stranger.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    result = run(stranger, badge)

    assert result.returncode == 1
    assert "NOT VALID: the signature does not check" in result.stdout
