"""/healthz for load balancers and monitors: is each service this app needs answering?

200 {"status": "ok", "checks": {"database": "ok", ...}} or 503 with each failing service
named and why. No login, no rate limit (a monitor polls it), no database writes; the four
checks run side by side and each one gives up after HEALTH_CHECK_TIMEOUT seconds, so a hung
service costs the answer a bounded wait instead of the monitor's own timeout.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lms.celery import app

logger = logging.getLogger(__name__)

PROBE_NAME = "healthz-probe"  # looked up, never written: its absence is the normal answer


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections["default"].close()  # this thread's own connection: do not leave it open
    return "ok"


def check_cache() -> str:
    cache = caches["default"]
    cache.set(PROBE_NAME, "1", timeout=10)
    if cache.get(PROBE_NAME) != "1":
        raise RuntimeError("a value set in the cache could not be read back")
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok (no broker: tasks run in the web process)"
    timeout = settings.HEALTH_CHECK_TIMEOUT
    with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        connection.default_channel  # noqa: B018  (opens a channel: the broker answered)
    return "ok"


def check_storage() -> str:
    storages["private"].exists(PROBE_NAME)
    return "ok"


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def run_checks(timeout: float) -> dict[str, tuple[bool, str]]:
    results: dict[str, tuple[bool, str]] = {}

    def run(name, check):
        try:
            results[name] = (True, check())
        except Exception as error:  # any failure is the answer, named, never a 500
            results[name] = (False, f"{type(error).__name__}: {error}"[:300])

    # Daemon threads: one stuck on a dead socket is abandoned, not waited for at exit.
    threads = {
        name: threading.Thread(target=run, args=(name, check), daemon=True)
        for name, check in CHECKS.items()
    }
    for thread in threads.values():
        thread.start()
    deadline = time.monotonic() + timeout
    for name, thread in threads.items():
        thread.join(max(0.0, deadline - time.monotonic()))
        if name not in results:
            results[name] = (False, f"no answer within {timeout:g} s")
    return results


@never_cache
@require_safe
def healthz(request):
    results = run_checks(settings.HEALTH_CHECK_TIMEOUT)
    healthy = all(ok for ok, _detail in results.values())
    body = {
        "status": "ok" if healthy else "down",
        "checks": {name: results[name][1] for name in CHECKS},
    }
    if not healthy:
        body["down"] = [name for name in CHECKS if not results[name][0]]
        for name in body["down"]:
            logger.warning("health check failed: %s", name, extra={"check": name})
    return JsonResponse(body, status=200 if healthy else 503)
