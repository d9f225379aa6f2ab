"""Settings come from the environment; production refuses to run without a secret key."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
print(json.dumps({
    "debug": settings.DEBUG,
    "journal": journal,
    "busy_timeout_ms": busy,
    "transaction_mode": connection.transaction_mode,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "hosts": settings.ALLOWED_HOSTS,
    "private": str(settings.STORAGES["private"]["OPTIONS"]["location"]),
}))
"""


def run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "SIGNING_KEY_ENCRYPTION_KEY": "settings-test-key",
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run("import django; django.setup()")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY" in result.stderr


def test_debug_uses_a_development_key():
    result = run(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("insecure-development-key")


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    result = run(
        PROBE,
        SECRET_KEY="x",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOWED_HOSTS="example.org,www.example.org",
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe == {
        "debug": False,
        "journal": "wal",
        "busy_timeout_ms": 20000,
        "transaction_mode": "IMMEDIATE",
        "eager": True,  # no broker: background work runs in-process
        "broker": "memory://localhost/",
        "hosts": ["example.org", "www.example.org"],
        "private": str(tmp_path / "private"),
    }


def test_a_broker_turns_off_eager_tasks(tmp_path):
    result = run(
        "import django; django.setup(); from django.conf import settings; "
        "from lms.celery import app; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, app.conf.broker_url)",
        SECRET_KEY="x",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "redis://127.0.0.1:6379/3"]


def test_default_database_is_a_sqlite_file_under_var():
    result = run(
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])",
        SECRET_KEY="x",
    )
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "var" / "db.sqlite3"


def test_postgres_from_database_url():
    result = run(
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])",
        SECRET_KEY="x",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/lms",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "lms", "127.0.0.1", "5432"]


@pytest.mark.parametrize(
    ("url", "environment", "expected"),
    [
        ("sqlite:///{tmp}/db.sqlite3", {}, ["60", "True"]),
        ("postgres://postgres@127.0.0.1:5432/lms", {}, ["60", "True"]),
        ("sqlite:///{tmp}/db.sqlite3", {"CONN_MAX_AGE": "0"}, ["0", "True"]),
        (
            "postgres://postgres@127.0.0.1:5432/lms",
            {"CONN_HEALTH_CHECKS": "false"},
            ["60", "False"],
        ),
    ],
)
def test_connections_are_kept_for_the_next_request_on_either_engine(
    tmp_path, url, environment, expected
):
    """A request reuses its process's connection (health-checked) on SQLite as on PostgreSQL;
    CONN_MAX_AGE=0 opens one per request."""
    result = run(
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        SECRET_KEY="x",
        DATABASE_URL=url.format(tmp=tmp_path),
        **environment,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected
