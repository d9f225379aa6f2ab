"""/healthz: 200 naming each service ok, or 503 naming what is down; bounded in time."""

import socket
import time

import pytest
from django.db import OperationalError
from django.urls import reverse

from lms import health
from lms.storage import S3PrivateStorage

pytestmark = pytest.mark.django_db(transaction=True)  # the checks run in threads of their own


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_all_up_is_200_naming_each_service(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "broker": "ok (no broker: tasks run in the web process)",
            "storage": "ok",
        },
    }


def test_no_login_and_no_rate_limit_in_the_way(client):
    for _ in range(40):  # a monitor polling every second for a while
        assert client.get("/healthz").status_code == 200


def test_database_down_is_503_naming_it(client, monkeypatch):
    class Down:
        def __getitem__(self, alias):
            raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr(health, "connections", Down())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["database"]
    assert body["checks"]["database"] == (
        "OperationalError: connection to server at 127.0.0.1 refused"
    )
    assert body["checks"]["cache"] == "ok"


def test_cache_down_is_503_naming_it(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["cache"]
    assert body["checks"]["cache"].startswith("ConnectionError")


def test_broker_down_is_503_naming_it(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert "Connection refused" in body["checks"]["broker"] or "111" in body["checks"]["broker"]


def test_storage_down_is_503_naming_it(client, monkeypatch):
    pytest.importorskip("boto3")
    dead = S3PrivateStorage(
        bucket_name="lms",
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        access_key="test",
        secret_key="test",
        region_name="us-east-1",
    )
    monkeypatch.setitem(health.storages._storages, "private", dead)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["storage"]
    assert body["checks"]["storage"].startswith("StorageUnavailable: Could not connect")


def test_a_hung_service_costs_the_timeout_not_more(client, settings, monkeypatch):
    settings.HEALTH_CHECK_TIMEOUT = 0.5
    monkeypatch.setitem(health.CHECKS, "cache", lambda: time.sleep(5) or "ok")
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "no answer within 0.5 s"
