"""The API's certificate list against the Certificates report page: server time, same data.

    SECRET_KEY=x .venv/bin/python scripts/bench_api.py        # or: make bench
    BENCH_API_ROWS=50000 scripts/bench_api.py                  # a bigger school

Builds a throwaway SQLite school of BENCH_API_ROWS certificates, then times, in-process
through Django's test client (no network), a page of 50 rows of each, BENCH_API_REPEAT times,
and prints the medians and their ratio. The goal (issue 11): the API page costs at most 1.5×
the report page's server time; the script exits 1 when it does not.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = int(os.environ.get("BENCH_API_ROWS", 20_000))
REPEAT = int(os.environ.get("BENCH_API_REPEAT", 30))
GOAL = 1.5


def configure_environment(folder: Path) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ["DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private")
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["API_RATE_LIMIT_PER_MINUTE"] = "1000000"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")


def seed(rows: int):
    from django.utils import timezone

    from accounts.models import Membership, Project, User
    from api import tokens
    from certificates import defaults
    from certificates.models import Certificate, CertificateTemplate, CourseCertificate
    from certificates.services import template_current_revision
    from contacts.models import Contact
    from courses.models import Course

    project = Project.objects.create(slug="bench", name="Bench School")
    owner = User.objects.create_user("owner@example.com", "password")
    Membership.objects.create(project=project, user=owner, role="owner")
    template = CertificateTemplate.objects.create(
        project=project, name="Classic", html=defaults.CLASSIC_HTML, css=defaults.CLASSIC_CSS
    )
    revision = template_current_revision(template)
    ccs = []
    for n in range(5):
        course = Course.objects.create(project=project, title=f"Course {n}")
        ccs.append(
            CourseCertificate.objects.create(
                project=project, course=course, title=f"Certificate {n}", template=template
            )
        )
    contacts = Contact.objects.bulk_create(
        Contact(project=project, name=f"Participant {n:06}", email=f"p{n}@example.com")
        for n in range(rows // 5)
    )
    now = timezone.now()
    Certificate.objects.bulk_create(
        (
            Certificate(
                project=project,
                contact=contacts[n // 5],
                course_certificate=ccs[n % 5],
                template_revision=revision,
                number=f"PY-{n:07}",
                sequence=n + 1,
                code=f"C{n:015}",
                issued_at=now - timezone.timedelta(minutes=n),
                method="automatic",
                snapshot={"participant_name": "x"},
            )
            for n in range(rows)
        ),
        batch_size=2000,
    )
    _row, token = tokens.token_create(project=project, actor=owner, name="bench", scope="read")
    return owner, token


def median_ms(call) -> float:
    call()  # warm: templates, querysets, the token's last-used write
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return 1000 * statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        configure_environment(Path(folder))
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        owner, token = seed(ROWS)
        staff, api = Client(), Client()
        staff.force_login(owner)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        results = {}
        for label, query in (("newest first", ""), ("by name", "sort=name"), ("search", "q=00042")):
            report_ms = median_ms(
                lambda q=query: staff.get(f"/staff/bench/reports/certificates/?{q}")
            )
            api_ms = median_ms(
                lambda q=query: api.get(f"/api/v1/certificates?limit=50&{q}", **auth)
            )
            results[label] = (report_ms, api_ms)
        print(f"API list vs Certificates report, {ROWS:,} certificates, a page of 50 rows")
        worst = 0.0
        for label, (report_ms, api_ms) in results.items():
            ratio = api_ms / report_ms
            worst = max(worst, ratio)
            times = f"report {report_ms:7.1f} ms   API {api_ms:7.1f} ms"
            print(f"  {label:<13} {times}   ratio {ratio:.2f} (median of {REPEAT})")
        print(f"  worst ratio {worst:.2f} (goal: at most {GOAL})")
        return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
