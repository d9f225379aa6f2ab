"""Certificates report at 100,000 certificates: page, deep page, filters, search, totals, export.

    SECRET_KEY=x .venv/bin/python scripts/bench_report.py
    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python scripts/bench_report.py

Runs against a throwaway database (a temporary SQLite file, or a new PostgreSQL database on
the server DATABASE_URL points at, dropped afterwards), fills it with bulk_create, and prints
a table of timings next to the targets. The targets are figures to read, not a test to pass.
"""

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", 100_000))
COURSES = 8
# Page 1000 at 100,000 rows; a smaller run (BENCH_CERTIFICATES) goes half way in.
DEEP_PAGE = min(1000, CERTIFICATES // 100)
# Targets, in milliseconds unless named otherwise.
PAGE_MS = 50
EXPORT_ROWS_PER_S = 20_000
EXPORT_PEAK_MB = 20
SEARCH_MS = 200  # substring search reads every row of the project: no B-tree index helps
VIEW_MS = 150


def throwaway_database():
    """Point DATABASE_URL at a new empty database; return (label, cleanup)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        import psycopg

        parts = urlsplit(url)
        name = f"lms_bench_{uuid.uuid4().hex[:8]}"
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"PostgreSQL ({name})", drop
    folder = tempfile.mkdtemp(prefix="lms-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    return "SQLite (temporary file)", lambda: shutil.rmtree(folder, ignore_errors=True)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.environ.setdefault("SIGNING_KEY_ENCRYPTION_KEY", "bench-only-signing-key")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(rng: random.Random):
    """One school with CERTIFICATES certificates, and a smaller neighbour school."""
    import datetime

    from django.utils import timezone

    from accounts.models import Membership, Project, User
    from certificates.models import (
        Certificate,
        CertificateTemplate,
        CourseCertificate,
        NumberSequence,
        TemplateRevision,
    )
    from contacts.models import Contact
    from courses.models import Course

    first = ["Олена", "Andrii", "Iryna", "Taras", "Maria", "Оксана", "Petro", "Sofia", "Дмитро"]
    last = ["Коваленко", "Shevchenko", "Bondar", "Melnyk", "Ткаченко", "Kravets", "Lysenko"]
    now = timezone.now()

    def school(slug, size, staff):
        project = Project.objects.create(slug=slug, name=f"School {slug}")
        issuers = [
            User.objects.create_user(f"{slug}-staff{n}@example.com", "x", full_name=f"Staff {n}")
            for n in range(staff)
        ]
        for user in issuers:
            Membership.objects.create(project=project, user=user, role="owner")
        courses = []
        for n in range(COURSES):
            course = Course.objects.create(project=project, title=f"Course {n:02} {slug}")
            template = CertificateTemplate.objects.create(
                project=project, name=f"Template {n}", html="<p>{{ participant_name }}</p>"
            )
            revisions = [
                TemplateRevision.objects.create(
                    template=template,
                    version=v,
                    html=template.html,
                    page_size="A4",
                    orientation="landscape",
                )
                for v in (1, 2)
            ]
            template.version = 2
            template.save()
            cc = CourseCertificate.objects.create(
                project=project,
                course=course,
                title=f"Certificate {n}",
                template=template,
                number_prefix="PY",
            )
            courses.append((cc, revisions))
        per_course = -(-size // COURSES)
        contacts = Contact.objects.bulk_create(
            [
                Contact(
                    project=project,
                    name=f"{rng.choice(first)} {rng.choice(last)} {n}",
                    email=f"{slug}.participant{n}@example.com",
                )
                for n in range(per_course)
            ],
            batch_size=5000,
        )
        # Minutes, not microseconds: many certificates share an issue time, as a bulk
        # import would make, so paging must break ties by id.
        moments = sorted(
            now - datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(size)
        )
        rows = []
        for i, issued_at in enumerate(moments, start=1):
            cc, revisions = courses[(i - 1) // per_course]
            manual = rng.random() < 0.2
            deleted = rng.random() < 0.03
            rows.append(
                Certificate(
                    project=project,
                    contact=contacts[(i - 1) % per_course],
                    course_certificate=cc,
                    template_revision=revisions[0] if rng.random() < 0.3 else revisions[1],
                    number=f"PY-{issued_at.year}-{i:06}",
                    sequence=i,
                    code=f"{slug[:4].upper()}{i:012}",
                    issued_at=issued_at,
                    issued_by=rng.choice(issuers) if manual else None,
                    method="manual" if manual else "automatic",
                    forced=manual and rng.random() < 0.25,
                    printed_name=contacts[(i - 1) % per_course].name,
                    snapshot={
                        "participant_name": contacts[(i - 1) % per_course].name,
                        "progress": {"completed": 3},
                    },
                    deleted_at=issued_at + datetime.timedelta(days=1) if deleted else None,
                    deleted_by=issuers[0] if deleted else None,
                )
            )
        Certificate.objects.bulk_create(rows, batch_size=2000)
        NumberSequence.objects.create(project=project, last_value=size)
        return project, issuers[0]

    neighbour = school("neighbour", CERTIFICATES // 10, 1)
    return school("bench", CERTIFICATES, 3), neighbour


def timed(fn, repeat=5):
    fn()  # warm the caches: we measure steady state, not the first touch of the disk
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    label, cleanup = throwaway_database()
    try:
        setup_django()
        run(label)
    finally:
        cleanup()


class Bench:
    """The report's queries against one project, timed; results collect as table rows."""

    def __init__(self, project):
        from certificates import report

        self.report = report
        self.project = project
        self.results = []

    def record(self, name, ms, target=PAGE_MS, note=""):
        verdict = "ok" if ms <= target else "SLOW"
        self.results.append((name, f"{ms:9.1f} ms", f"<= {target} ms", verdict, note))

    def rows(self, filters):
        return self.report.with_columns(self.filtered(filters))

    def filtered(self, filters):
        return self.report.filtered(project=self.project, filters=filters)

    def page(self, filters, cursor=None):
        return self.report.page(
            self.rows(filters), project=self.project, sort=filters.sort, cursor=cursor
        )

    def totals(self, filters):
        return self.report.totals(self.filtered(filters))

    def offset_page(self, filters, offset):
        qs = self.report.ordered(self.rows(filters), filters.sort, project=self.project)
        return list(qs[offset : offset + self.report.PAGE_SIZE])

    def cursor_at(self, filters, offset):
        """The "Next" cursor a visitor would hold on reaching row `offset + 1`."""
        from certificates.report import Cursor

        qs = self.report.ordered(self.rows(filters), filters.sort, project=self.project)
        row = qs[offset - 1 : offset].get()
        number = offset // self.report.PAGE_SIZE + 1
        return Cursor.of(row, sort=filters.sort, backwards=False, page=number).encode()

    def deep(self, filters, offset):
        """(keyset ms, OFFSET ms) for the page starting at row `offset + 1`."""
        token = self.cursor_at(filters, offset)
        keyset = timed(lambda: self.page(filters, token))
        by_offset = timed(lambda: self.offset_page(filters, offset), repeat=3)
        return keyset, by_offset

    def walk(self, filters, pages):
        token, walked = None, 0
        while walked < pages:
            token = self.page(filters, token).next_cursor
            walked += 1
            if token is None:
                break
        return walked


def run(label):
    import datetime

    from django.db import connection
    from django.utils import timezone

    from certificates.models import CourseCertificate
    from certificates.report import PAGE_SIZE, Filters

    started = time.perf_counter()
    (project, staff), _neighbour = generate(random.Random(2026))
    with connection.cursor() as cursor:
        # What autovacuum would have done by now: statistics, and on PostgreSQL the visibility
        # map that lets the totals count from the index alone.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"\n{label}: generated {CERTIFICATES:,} certificates (+{CERTIFICATES // 10:,} in another"
        f" school) in {time.perf_counter() - started:.1f} s\n"
    )
    bench = Bench(project)
    record = bench.record
    everything = Filters()
    offset = (DEEP_PAGE - 1) * PAGE_SIZE

    record("first page (issue date, newest first)", timed(lambda: bench.page(everything)))
    record("totals, no filter (count + by method/forced)", timed(lambda: bench.totals(everything)))
    keyset, by_offset = bench.deep(everything, offset)
    record(f"page {DEEP_PAGE} by keyset cursor", keyset)
    record(
        f"page {DEEP_PAGE} by OFFSET {offset:,} (for comparison)",
        by_offset,
        note=f"{by_offset / keyset:.0f}x the keyset page",
    )
    start = time.perf_counter()
    walked = bench.walk(everything, DEEP_PAGE)
    record(
        f"walking Next through {walked} pages, per page",
        (time.perf_counter() - start) * 1000 / walked,
    )

    for name, sort in [("participant", "name"), ("course", "course"), ("number", "-number")]:
        filters = Filters(sort=sort)
        record(f"first page sorted by {name}", timed(lambda f=filters: bench.page(f)))
        keyset, by_offset = bench.deep(filters, offset)
        record(
            f"page {DEEP_PAGE} sorted by {name}, keyset", keyset, note=f"OFFSET {by_offset:.1f} ms"
        )

    ccs = list(CourseCertificate.objects.filter(project=project).order_by("id"))
    one_course = frozenset({ccs[3].id})
    today = timezone.localdate()
    filter_cases = [
        ("course", Filters(course_certificate_ids=one_course)),
        ("method manual", Filters(method="manual")),
        ("forced only", Filters(forced=True)),
        ("outdated template", Filters(outdated=True)),
        ("last 30 days", Filters(issued_from=today - datetime.timedelta(days=30))),
        ("include deleted", Filters(include_deleted=True)),
        (
            "course + manual + forced",
            Filters(course_certificate_ids=one_course, method="manual", forced=True),
        ),
    ]
    for name, filters in filter_cases:
        total = bench.totals(filters)["total"]
        record(f"filter {name}: first page", timed(lambda f=filters: bench.page(f)))
        record(
            f"filter {name}: totals",
            timed(lambda f=filters: bench.totals(f)),
            note=f"{total:,} rows",
        )
        deep_row = offset if total > offset + PAGE_SIZE else total // 2
        if deep_row > PAGE_SIZE:
            keyset, by_offset = bench.deep(filters, deep_row)
            record(
                f"filter {name}: page at row {deep_row:,}, keyset",
                keyset,
                note=f"OFFSET {by_offset:.1f} ms",
            )

    for name, term in [
        ("name", "Коваленко 77"),
        ("email", "participant4242@"),
        ("number", "PY-2025-0123"),
    ]:
        filters = Filters(search=term)
        record(
            f"search {name} '{term}': first page",
            timed(lambda f=filters: bench.page(f), repeat=3),
            target=SEARCH_MS,
        )
        record(
            f"search {name}: totals",
            timed(lambda f=filters: bench.totals(f), repeat=3),
            target=SEARCH_MS,
        )

    measure_http(bench, staff)
    print_table(bench.results)
    explain(bench, offset)


def measure_http(bench, staff):
    from django.test import Client
    from django.urls import reverse

    from certificates.report import Filters

    client = Client()
    client.force_login(staff)
    slug = bench.project.slug
    url = reverse("staff:certificates_report", args=[slug])
    bench.record(
        "report view over HTTP: first page, whole response",
        timed(lambda: client.get(url)),
        target=VIEW_MS,
    )
    bench.record(
        "report view over HTTP: manual, sorted by participant",
        timed(lambda: client.get(url, {"method": "manual", "sort": "name"})),
        target=VIEW_MS,
    )

    export = reverse("staff:certificates_export", args=[slug])
    live = bench.totals(Filters())["total"]

    def download(fmt):
        response = client.get(export, {"format": fmt})
        assert response.status_code == 200, response.status_code
        body = response.streaming_content if response.streaming else [response.getvalue()]
        return sum(len(chunk) for chunk in body)

    start = time.perf_counter()
    size = download("csv")
    seconds = time.perf_counter() - start
    tracemalloc.start()
    download("csv")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rate = live / seconds
    bench.results.append(
        (
            "CSV export, every row",
            f"{seconds * 1000:9.0f} ms",
            f">= {EXPORT_ROWS_PER_S:,} rows/s",
            "ok" if rate >= EXPORT_ROWS_PER_S else "SLOW",
            f"{live:,} rows, {rate:,.0f} rows/s, {size / 2**20:.1f} MB",
        )
    )
    bench.results.append(
        (
            "CSV export, peak Python memory",
            f"{peak:9.1f} MB",
            f"<= {EXPORT_PEAK_MB} MB",
            "ok" if peak <= EXPORT_PEAK_MB else "HIGH",
            "tracemalloc, while streaming",
        )
    )

    def download_xlsx():
        # Over EXPORT_INLINE_MAX_ROWS this starts an export job; without a broker the job runs
        # within the POST, so the time covers building the file and then downloading it.
        response = client.post(export, {"format": "xlsx"})
        if response.status_code == 302:
            response = client.get(response.url + "download/")
        assert response.status_code == 200, response.status_code
        return sum(len(chunk) for chunk in response.streaming_content)

    start = time.perf_counter()
    size = download_xlsx()
    seconds = time.perf_counter() - start
    bench.results.append(
        (
            "XLSX export, every row (a job when big)",
            f"{seconds * 1000:9.0f} ms",
            "",
            "",
            f"{live / seconds:,.0f} rows/s, {size / 2**20:.1f} MB",
        )
    )


def print_table(results):
    width = max(len(r[0]) for r in results)
    print(f"{'measure':<{width}}  {'median':>12}  {'target':<20} {'':4}  note")
    print("-" * (width + 64))
    for name, value, target, verdict, note in results:
        print(f"{name:<{width}}  {value:>12}  {target:<20} {verdict:4}  {note}")


def explain(bench, offset):
    from certificates import report
    from certificates.report import Cursor, Filters

    for title, sort in [("issue date", "-issued"), ("participant", "name")]:
        filters = Filters(sort=sort)
        position = Cursor.decode(bench.cursor_at(filters, offset), sort=sort)
        qs = report.ordered(bench.rows(filters), sort, project=bench.project)
        plan = report._seek(qs, position)[: report.PAGE_SIZE].explain()
        print(f"\nPlan of the page-{DEEP_PAGE} keyset query sorted by {title}:\n{plan}")


if __name__ == "__main__":
    main()
