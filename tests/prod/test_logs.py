"""Request ids in the response and in every log line; JSON lines; carried into tasks; Sentry."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from lms import logs

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def json_lines():
    """The root logger also writes JSON lines, as LOG_FORMAT=json would, into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


@pytest.mark.django_db
def test_a_sane_request_id_is_kept_and_echoed(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a.42:9")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-7f3a.42:9"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "two words", "a\nforged line", "x" * 101, "ü"])
def test_an_insane_request_id_is_replaced(client, sent):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32
    int(response["X-Request-ID"], 16)  # a fresh uuid4, hex


@pytest.mark.django_db(transaction=True)
def test_every_log_line_of_the_request_carries_its_id(client, settings, json_lines):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens: the health check logs
        }
    }
    response = client.get("/healthz", HTTP_X_REQUEST_ID="req-123")
    assert response.status_code == 503
    lines = [line for line in json_lines() if line["logger"] in ("lms.health", "django.request")]
    assert {line["message"] for line in lines} >= {
        "health check failed: cache",
        "Service Unavailable: /healthz",
    }
    assert {line["request_id"] for line in lines} == {"req-123"}
    health_line = next(line for line in lines if line["logger"] == "lms.health")
    assert health_line["level"] == "WARNING"
    assert health_line["check"] == "cache"  # extra= fields become keys


def test_outside_a_request_the_id_is_a_dash(json_lines):
    logging.getLogger("lms.test").warning("from a management command")
    assert json_lines()[-1]["request_id"] == "-"


def test_a_task_queued_in_a_request_carries_the_id_in_its_headers():
    token = logs.request_id_var.set("req-456")
    try:
        headers = {}
        logs._carry_request_id(headers=headers)
    finally:
        logs.request_id_var.reset(token)
    assert headers == {"request_id": "req-456"}


def run_settings(env: dict, code: str) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=base | {"DJANGO_SETTINGS_MODULE": "lms.settings", "ENV_FILE": "/dev/null"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_log_format_json_writes_json_lines():
    result = run_settings(
        {"DEBUG": "true", "LOG_FORMAT": "json"},
        "import logging; logging.getLogger('lms.x').warning('hello %s', 'there')",
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello there"
    assert line["level"] == "WARNING"
    assert line["logger"] == "lms.x"
    assert line["request_id"] == "-"


def test_sentry_is_on_with_a_dsn_with_django_and_celery_integrations():
    result = run_settings(
        {"DEBUG": "true", "SENTRY_DSN": "https://public@sentry.example.com/1"},
        "import sentry_sdk; c = sentry_sdk.get_client(); "
        "print(c.is_active(), sorted(k for k in c.integrations if k in ('django', 'celery')))",
    )
    assert result.stdout.strip() == "True ['celery', 'django']", result.stderr


def test_sentry_is_off_without_a_dsn():
    result = run_settings(
        {"DEBUG": "true"}, "import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    )
    assert result.stdout.strip() == "False", result.stderr
