"""CI's smoke test of `make prod`: start it, wait for /healthz, check static caching and login.

    python scripts/smoke_prod.py [--port N] [--timeout 60]

Runs the Procfile's three processes as `make prod` does (honcho, after migrate and
collectstatic) with the environment it is given (DATABASE_URL, CELERY_BROKER_URL, ...),
polls /healthz until it answers 200 (bounded), checks that a hashed static file is cached for
a year or more and that the login page answers 200, then stops everything with SIGINT, as
Ctrl-C would, and checks that all three stopped without a SIGKILL. Exit status 0 when all held.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    # Seconds /healthz has to answer 200 once honcho started the processes; migrate and
    # collectstatic before that get --setup-timeout.
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--setup-timeout", type=float, default=600.0)
    args = parser.parse_args()
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    failures = []

    process = subprocess.Popen(
        ["make", "--no-print-directory", "prod", f"PORT={port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the SIGINT below reaches all of it
    )
    output: list[str] = []

    import threading

    def read():
        for line in process.stdout:
            output.append(line)
            sys.stdout.write("  | " + line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        setup_deadline = time.monotonic() + args.setup_timeout
        while not any(" web.1 " in line or "web.1 " in line for line in output):
            if process.poll() is not None or time.monotonic() > setup_deadline:
                break
            time.sleep(0.5)
        deadline = time.monotonic() + args.timeout
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = get(f"{base}/healthz", timeout=3)
                if health[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        if health is None or health[0] != 200:
            failures.append(f"/healthz did not answer 200 within {args.timeout:g} s: {health}")
        else:
            print(f"/healthz: {health[2].decode()}")
            status, _headers, body = get(f"{base}/accounts/login/")
            if status != 200:
                failures.append(f"login page answered {status}")
            html = body.decode()
            hashed = re.findall(r'/static/([^"]+\.[0-9a-f]{12}\.(?:css|js))"', html)
            if not hashed:
                failures.append("the login page names no hashed static file")
            else:
                status, headers, _ = get(f"{base}/static/{hashed[0]}")
                cache = headers.get("Cache-Control", "")
                max_age = re.search(r"max-age=(\d+)", cache)
                print(f"/static/{hashed[0]}: {status} Cache-Control: {cache}")
                if status != 200 or not max_age or int(max_age.group(1)) < 365 * 24 * 3600:
                    failures.append(f"hashed static file: {status}, Cache-Control {cache!r}")
                if "immutable" not in cache:
                    failures.append(f"hashed static file not immutable: {cache!r}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                failures.append("make prod did not stop within 30 s of Ctrl-C")
        reader.join(timeout=5)
    log = "".join(output)
    if "SIGKILL" in log:
        failures.append("a process had to be killed with SIGKILL")
    for name in ("web", "worker", "beat"):
        if not re.search(rf"^\S+ {name}\.1\s+\| ", log, re.MULTILINE):
            failures.append(f"no output from the {name} process")
    for failure in failures:
        print(f"SMOKE FAILED: {failure}", file=sys.stderr)
    if not failures:
        print("smoke test of make prod: all held")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
