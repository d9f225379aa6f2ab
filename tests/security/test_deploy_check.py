"""`manage.py check --deploy` is clean with the production settings the README documents."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def documented_production_env() -> dict[str, str]:
    """The ```env block of the README's Security section, as a dict."""
    readme = (ROOT / "README.md").read_text()
    security = readme[readme.index("## Security") :]
    block = re.search(r"```env\n(.*?)```", security, re.DOTALL).group(1)
    pairs = (line.split("=", 1) for line in block.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def check_deploy(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "lms.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    env = documented_production_env()
    assert env["SECRET_KEY"].startswith("<")  # a placeholder, filled in here
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    assert env["SIGNING_KEY_ENCRYPTION_KEY"].startswith("<")
    env["SIGNING_KEY_ENCRYPTION_KEY"] = secrets.token_urlsafe(32)
    return env


def test_the_readme_documents_the_https_settings():
    env = documented_production_env()
    assert env["DEBUG"] == "false"
    assert env["SECURE_SSL_REDIRECT"] == "true"
    assert env["SECURE_HSTS_SECONDS"] == "31536000"
    assert env["SECURE_COOKIES"] == "true"
    assert env["SECURE_PROXY_SSL_HEADER"] == "X-Forwarded-Proto"


def test_deploy_checks_pass_with_the_documented_production_settings(tmp_path):
    result = check_deploy(tmp_path, **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_checks_fail_without_hsts_and_secure_cookies(tmp_path):
    env = production_env()
    del env["SECURE_HSTS_SECONDS"], env["SECURE_COOKIES"]
    result = check_deploy(tmp_path, **env)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout
