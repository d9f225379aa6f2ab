"""Content Security Policy and HTTPS headers; no inline script anywhere in the templates."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def policy_directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password_reset/"])
def test_pages_carry_the_policy(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert policy_directives(response["Content-Security-Policy"]) == policy_directives(POLICY)


def test_the_lockout_page_carries_the_policy_too(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 1
    response = client.post("/accounts/login/", {"username": "a@example.com", "password": "x"})
    assert response.status_code == 429
    assert policy_directives(response["Content-Security-Policy"]) == policy_directives(POLICY)


def test_staff_pages_carry_the_policy(client, alice):
    client.force_login(alice)
    response = client.get("/staff/demo/templates/new/")
    assert response.status_code == 200
    assert policy_directives(response["Content-Security-Policy"]) == policy_directives(POLICY)


def test_hsts_and_the_ssl_redirect_behind_a_tls_proxy(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_nothing_is_forced_in_development(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


def settings_from_env(**env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.TRUSTED_PROXY_COUNT)"
    )
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "lms.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x", "SIGNING_KEY_ENCRYPTION_KEY": "x", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_https_settings_come_from_the_environment():
    assert settings_from_env() == "None False 0 False False 0"
    assert (
        settings_from_env(
            SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
            SECURE_SSL_REDIRECT="true",
            SECURE_HSTS_SECONDS="31536000",
            SECURE_COOKIES="true",
            TRUSTED_PROXY_COUNT="2",
        )
        == "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True True 2"
    )


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
HTMX_ON = re.compile(r"\shx-on", re.IGNORECASE)


def test_the_template_scan_sees_the_templates():
    names = {path.relative_to(ROOT / "templates").as_posix() for path in TEMPLATES}
    assert {"base.html", "registration/locked_out.html", "portal/certificates.html"} <= names


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_HANDLER, JS_URL, HTMX_ON])
def test_no_template_has_inline_script(pattern):
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in TEMPLATES
        if path.parts[-2] != "emails"  # emails are never shown under our policy
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "snippet",
    ["<script>alert(1)</script>", '<button onclick="x()">', '<a href="javascript:x()">'],
)
def test_the_scan_would_catch_inline_script(snippet):
    assert any(p.search(snippet) for p in [INLINE_SCRIPT, EVENT_HANDLER, JS_URL])
