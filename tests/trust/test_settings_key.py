"""Production refuses to start without the key that encrypts the signing keys."""

from tests.test_settings import run


def test_refuses_to_start_without_a_signing_key_encryption_key():
    result = run("import django; django.setup()", SECRET_KEY="x", SIGNING_KEY_ENCRYPTION_KEY="")
    assert result.returncode != 0
    assert "Set SIGNING_KEY_ENCRYPTION_KEY" in result.stderr


def test_debug_uses_a_development_key():
    result = run(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SIGNING_KEY_ENCRYPTION_KEY)",
        DEBUG="true",
        SIGNING_KEY_ENCRYPTION_KEY="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("insecure-development-signing-key")
