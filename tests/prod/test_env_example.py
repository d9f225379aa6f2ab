"""`.env.example`, the README's settings table and the code name the same settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Read by each process from its environment, not settings: the test run's own switches.
NOT_SETTINGS = {"REQUIRE_COLLECTED_STATIC", "DJANGO_SETTINGS_MODULE"}


def example_names() -> list[str]:
    text = (ROOT / ".env.example").read_text()
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE)


def readme_names() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Settings\n") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section, re.MULTILINE)


def names_read_by_the_code() -> set[str]:
    names = set()
    for path in (ROOT / "lms").glob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r'\benv\.[a-z_]+\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r"environ\.get\(\s*[\"']([A-Z][A-Z0-9_]+)[\"']", text))
    return names - NOT_SETTINGS


def test_env_example_and_readme_list_the_same_settings():
    example, readme = example_names(), readme_names()
    assert len(example) == len(set(example)), "a setting appears twice in .env.example"
    assert len(readme) == len(set(readme)), "a setting appears twice in the README table"
    assert set(example) - set(readme) == set(), "in .env.example, not in the README table"
    assert set(readme) - set(example) == set(), "in the README table, not in .env.example"


def test_every_setting_the_code_reads_is_documented():
    read = names_read_by_the_code()
    assert {"SECRET_KEY", "STORAGE", "LOG_FORMAT", "WEB_BIND"} <= read  # the search works
    assert read - set(example_names()) == set()


def check_env(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lms.env_file"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "ENV_FILE": "/dev/null"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_prod_refuses_without_the_required_settings_and_names_them():
    result = check_env({"SECRET_KEY": "x", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 2
    assert "Not starting: production needs these settings" in result.stderr
    missing = re.findall(r"^  ([A-Z_]+):", result.stderr, re.MULTILINE)
    assert missing == ["DATABASE_URL", "SIGNING_KEY_ENCRYPTION_KEY", "CELERY_BROKER_URL"]


def test_the_required_settings_may_come_from_the_env_file(tmp_path):
    env_file = tmp_path / "prod.env"
    env_file.write_text(
        "SECRET_KEY=s\nDATABASE_URL=postgres://db/lms\nALLOWED_HOSTS=example.org\n"
        "SIGNING_KEY_ENCRYPTION_KEY=k\nCELERY_BROKER_URL=redis://r:6379/0\n"
    )
    assert check_env({"ENV_FILE": str(env_file)}).returncode == 0
    missing_file = check_env({"ENV_FILE": str(tmp_path / "nope.env")})
    assert missing_file.returncode == 2
    assert "no such file" in missing_file.stderr
