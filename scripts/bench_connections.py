"""Verify and download requests a second against gunicorn on 127.0.0.1, CONN_MAX_AGE=0 vs 60.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench python scripts/bench_connections.py

Self-contained: migrates the database it is given (PostgreSQL is what the figure is about;
without DATABASE_URL a SQLite file in a temporary folder), makes one school, a student and a
certificate with its PDF stored, then for each CONN_MAX_AGE starts gunicorn (2 processes, 2
threads) and lets 4 keep-alive clients request the public verify page and the student's PDF
download for a fixed time each. Prints a table and one JSON line; asserts nothing (goals are
read, not enforced: README, "Tests and benchmarks").
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
WORK = Path(tempfile.mkdtemp(prefix="bench-connections-"))

os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'db.sqlite3'}")
os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ.setdefault("SIGNING_KEY_ENCRYPTION_KEY", "bench-only-signing-key")
os.environ["ENV_FILE"] = "/dev/null"
os.environ["PRIVATE_MEDIA_ROOT"] = str(WORK / "private")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ["STATIC_ROOT"] = str(WORK / "static")
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["VERIFY_RATE_LIMIT_PER_MINUTE"] = "100000000"  # the limit is not what is measured
os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: nothing runs while measuring
os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare() -> tuple[str, str]:
    """(verify path, download path) and the student's session cookie, in the database."""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    # DEBUG=false pages name hashed static files: collect them (not the admin's, unused here).
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "collectstatic",
            "--noinput",
            "-v0",
            "-i",
            "admin",
            "-i",
            "ninja",
        ],
        cwd=ROOT,
        check=True,
        env=os.environ | {"DEBUG": "false"},
    )
    import django

    django.setup()
    from django.test import Client

    from certificates.services import certificate_issue, certificate_render_once
    from tests.factories import (
        AccessFactory,
        ContactFactory,
        MembershipFactory,
        ProjectFactory,
        UserFactory,
        course_with_certificate,
    )

    run = uuid.uuid4().hex[:10]  # the database may hold an earlier run's rows
    project = ProjectFactory(name="Bench School", slug=f"bench-{run}")
    staff = MembershipFactory(
        project=project, user=UserFactory(email=f"staff-{run}@example.com")
    ).user
    course = course_with_certificate(project, lessons=1)
    student = UserFactory(email=f"student-{run}@example.com")
    contact = ContactFactory(project=project, name="Олена Коваленко", user=student)
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=staff, force=True)
    certificate = certificate_render_once(certificate_id=certificate.pk)
    client = Client()
    client.force_login(student)
    session = client.cookies["sessionid"].value
    return (
        f"/verify/{certificate.code}/",
        f"/my/certificates/{certificate.public_id}/download/",
        session,
    )


def hammer(port: int, path: str, cookie: str) -> tuple[float, int]:
    """Requests a second by CLIENTS keep-alive clients for SECONDS; and any non-200 count."""
    counts, errors, statuses = [0] * CLIENTS, [0] * CLIENTS, set()
    stop = time.monotonic() + SECONDS

    def client(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": f"sessionid={cookie}", "Accept": "text/html"}
        while time.monotonic() < stop:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            counts[index] += 1
            if response.status != 200:
                errors[index] += 1
                statuses.add(response.status)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if statuses:
        print(f"{path}: answered {sorted(statuses)}", file=sys.stderr)
    return sum(counts) / (time.monotonic() - started), sum(errors)


def serve(conn_max_age: int):
    port = free_port()
    env = os.environ | {
        "CONN_MAX_AGE": str(conn_max_age),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "2",
        "DEBUG": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:lms.gunicorn_conf",
            "--access-logfile",
            "/dev/null",
            "lms.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)


def main():
    verify, download, session = prepare()
    from django.db import connection

    vendor = connection.vendor
    results = {}
    for age in (0, 60):
        process, port = serve(age)
        try:
            for name, path in (("verify", verify), ("download", download)):
                hammer(port, path, session)  # warm up: imports, caches, first connections
                rate, errors = hammer(port, path, session)
                if errors:
                    raise SystemExit(f"{name}: {errors} answers were not 200")
                results[(name, age)] = rate
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(
        f"Requests a second against gunicorn on 127.0.0.1 ({vendor}, {CLIENTS} clients, "
        f"{SECONDS:g} s each)"
    )
    print(f"{'request':<10} {'CONN_MAX_AGE=0':>15} {'CONN_MAX_AGE=60':>16} {'ratio':>7}")
    summary = {"database": vendor}
    for name in ("verify", "download"):
        before, after = results[(name, 0)], results[(name, 60)]
        print(f"{name:<10} {before:>15.1f} {after:>16.1f} {after / before:>7.2f}")
        summary[name] = {
            "conn_max_age_0": round(before, 1),
            "conn_max_age_60": round(after, 1),
            "ratio": round(after / before, 2),
        }
    print(json.dumps({"bench_connections": summary}))


if __name__ == "__main__":
    main()
