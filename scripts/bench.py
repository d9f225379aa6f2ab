"""`make bench`: every speed figure of issue 9 (and issue 10's signing row) in one run, one table.

    SECRET_KEY=x .venv/bin/python scripts/bench.py                 # or: make bench
    BENCH_QUICK=1 scripts/bench.py                                 # smaller knobs, < 3 min
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres  # PostgreSQL rows too

Each figure is a ratio of two things measured side by side in the same run, so a loaded or a
slow machine moves both: render pipeline / raw WeasyPrint of the same HTML, the batched floor
(one WeasyPrint document of many pages) from the same HTML, render + sign / render, RSS from
/proc. HTTP figures are requests to gunicorn on 127.0.0.1 (a subprocess on a free port, a
throwaway SQLite file and, with BENCH_DATABASE_URL, a throwaway PostgreSQL database). With
BENCH_DATABASE_URL a bigger bulk reissue (BULK_WORKERS: the steady state, not the start and
the tail) also runs the production way: the job and its renders in real Celery worker
processes over Redis (BENCH_BROKER_URL, default redis://127.0.0.1:6379/8, flushed first),
timed from every worker ready until every new certificate has its PDF. Horizontal scaling is
1 and then 2 worker processes, each pinned to a core of its own (`taskset`) with one renderer
child, so each is one machine's worth as on a fleet; one worker on the whole box with the
settings' defaults (production on one machine) is printed as information. Each part runs in a
process of its own (`--part NAME` prints one JSON line); the main process prints one table
(figure, goal, measured, holds) and one JSON line. Goals are printed, never asserted. Knobs
(BENCH_*): RENDERS, BATCH_PAGES, RSS_RENDERS, BULK, BULK_WORKERS, WORKER_THREADS, REPORT_BIG,
REPORT_SMALL, HTTP_REPEAT.
"""

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")


def knob(name: str, full: int, quick: int) -> int:
    return int(os.environ.get(f"BENCH_{name}", quick if QUICK else full))


RENDERS = knob("RENDERS", 20, 6)
BATCH_PAGES = knob("BATCH_PAGES", 50, 10)
RSS_RENDERS = knob("RSS_RENDERS", 500, 40)
BULK = knob("BULK", 200, 24)  # the issue's example: a 200-certificate reissue
BULK_WORKERS = knob("BULK_WORKERS", 240, 48)  # the worker runs: the steady state, not the ends
WORKER_THREADS = knob("WORKER_THREADS", 2, 2)  # a pinned worker's threads
REPORT_BIG = knob("REPORT_BIG", 100_000, 10_000)
REPORT_SMALL = knob("REPORT_SMALL", 1_000, 1_000)
HTTP_REPEAT = knob("HTTP_REPEAT", 15, 7)
CORES = os.cpu_count() or 1


def configure_environment(folder: Path, database_url: str = "", broker_url: str = "") -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("SIGNING_KEY_ENCRYPTION_KEY", "bench-only-signing-key")
    os.environ["DEBUG"] = "false"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private")
    os.environ["EMAIL_URL"] = "dummymail://"
    # Without a broker, background work runs in-process (eager).
    os.environ["CELERY_BROKER_URL"] = broker_url
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")


def sample_values() -> dict:
    return {
        "participant_name": "Олена Коваленко",
        "course_title": "Python for Data Analysis",
        "certificate_title": "Certificate of Completion",
        "certificate_number": "PY-2026-000123",
        "issue_date": "29 November 2026",
        "verification_url": "http://127.0.0.1:8000/verify/ABCDEFGHIJKLMNOP/",
        "school_name": "Demo School",
    }


def rss_mb() -> float:
    """Resident set size of this process, from /proc (not tracemalloc)."""
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def setup(folder: Path, database_url: str = "", broker_url: str = "") -> None:
    configure_environment(folder, database_url, broker_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def school():
    from accounts.models import Membership, Project, User
    from certificates import defaults, services
    from certificates.models import CertificateTemplate, CourseCertificate
    from courses.models import Course, Lesson

    project = Project.objects.create(slug="bench", name="Bench School")
    staff = User.objects.create_user("bench@example.com", "x")
    Membership.objects.create(project=project, user=staff, role=Membership.Role.OWNER)
    template = services.template_save(
        template=CertificateTemplate(
            project=project, name="Classic", html=defaults.CLASSIC_HTML, css=defaults.CLASSIC_CSS
        )
    )
    course = Course.objects.create(project=project, title="Python for Data Analysis")
    for position in (1, 2, 3):
        Lesson.objects.create(course=course, position=position, title=f"Lesson {position}")
    course_certificate = CourseCertificate.objects.create(
        project=project, course=course, title="Certificate", template=template, number_prefix="PY"
    )
    return project, staff, course, course_certificate


def people(project, course, label: str, count: int):
    from contacts.models import Contact
    from courses.models import Access

    contacts = Contact.objects.bulk_create(
        [
            Contact(project=project, name=f"Олена Коваленко {label}{i}", email=f"{label}{i}@x.test")
            for i in range(count)
        ]
    )
    Access.objects.bulk_create([Access(contact=c, course=course) for c in contacts])
    return contacts


def issued_then_outdated(project, staff, course, course_certificate, label: str, count: int):
    """`count` certificates issued (without their PDFs: the first issue is not measured), then
    the template changed, so a bulk reissue has every one of them to do."""
    from certificates import services, tasks
    from certificates.models import CertificateTemplate

    contacts = people(project, course, label, count)
    real_delay = tasks.certificate_issued.delay
    tasks.certificate_issued.delay = lambda *args, **kwargs: None  # first issue: no PDF
    try:
        for contact in contacts:
            services.certificate_issue(contact=contact, course=course, actor=staff, force=True)
    finally:
        tasks.certificate_issued.delay = real_delay
    template = CertificateTemplate.objects.get(pk=course_certificate.template_id)
    template.css += "\n/* v2 */"
    services.template_save(template=template)


# Parts -------------------------------------------------------------------------------------


def part_render(folder: Path) -> dict:
    """Raw WeasyPrint, the pipeline, the batched floor, signing and RSS: one process, same HTML."""
    setup(folder)
    from certificates import defaults, rendering, signing

    project, _staff, _course, _cc = school()
    values = sample_values()
    arguments = dict(
        school_id=project.id,
        html=defaults.CLASSIC_HTML,
        css=defaults.CLASSIC_CSS,
        page_size="A4",
        orientation="landscape",
        values=values,
        metadata=rendering.certificate_metadata(values),
    )
    job = rendering.render_job(**arguments)
    weasyprint, font_config, _fetcher = rendering._weasyprint()

    def raw():
        # WeasyPrint alone, as its documentation calls it: the same filled HTML and
        # stylesheets and the same PDF variant, none of our caches or the renderer child.
        stylesheets = [
            weasyprint.CSS(string=sheet, base_url=job.base_url) for sheet in job.stylesheets
        ]
        return weasyprint.HTML(string=job.html, base_url=job.base_url).write_pdf(
            stylesheets=stylesheets, pdf_variant="pdf/a-3b"
        )

    def pipeline():
        return rendering.render_pdf(**arguments)

    # The floor: one document of BATCH_PAGES certificates (each body on a page of its own).
    body = job.html
    batch_html = "".join(f'<div style="break-after: page">{body}</div>' for _ in range(BATCH_PAGES))

    def batched():
        # The page limit of a certificate (a module global here) does not apply to the floor.
        rendering._limits["max_pages"] = BATCH_PAGES + 1
        stylesheets = [
            weasyprint.CSS(string=sheet, font_config=font_config, base_url=job.base_url)
            for sheet in job.stylesheets
        ]
        return weasyprint.HTML(string=batch_html, base_url=job.base_url).write_pdf(
            stylesheets=stylesheets, font_config=font_config
        )

    raw(), pipeline()  # warm: fonts, the renderer child
    signing.sign_pdf(pipeline(), project=project)  # the school's key made and loaded
    raw_times, pipe_times, signed_times, batch_times = [], [], [], []
    every = max(1, RENDERS // (1 if QUICK else 3))
    for i in range(RENDERS):  # interleaved, so a burst of load hits them all alike
        steps = [
            (raw_times, raw),
            (pipe_times, pipeline),
            (signed_times, lambda: signing.sign_pdf(pipeline(), project=project)),
        ]
        if i % every == every // 2:
            steps.append((batch_times, batched))
        for times, fn in steps:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    batch_ms = statistics.median(batch_times) * 1000

    # RSS: draws in this process (as a web process drawing in-process would), 1 then N.
    for_rss = dict(arguments, values={**values})
    del for_rss["metadata"]
    first = None
    for i in range(RSS_RENDERS):
        values_i = {**values, "verification_url": f"http://127.0.0.1:8000/verify/CODE{i:012d}/"}
        rendering.draw(rendering.render_job(**{**for_rss, "values": values_i}))
        if i == 0:
            first = rss_mb()
    return {
        "raw_ms": statistics.median(raw_times) * 1000,
        "pipeline_ms": statistics.median(pipe_times) * 1000,
        "signed_ms": statistics.median(signed_times) * 1000,
        "batch_page_ms": batch_ms / BATCH_PAGES,
        "rss_first_mb": first,
        "rss_last_mb": rss_mb(),
    }


def part_bulk(folder: Path) -> dict:
    """A bulk reissue of BULK certificates without a broker: each rendered and signed."""
    setup(folder)
    from django.db import connection

    from certificates import bulk, rendering, signing
    from certificates.models import BulkJob, Certificate

    project, staff, course, course_certificate = school()
    # A school that reissues has issued before: its signing key exists (made once, ~0.6 s).
    signing.school_key(project)
    issued_then_outdated(project, staff, course, course_certificate, "b", BULK)
    queries = []

    def counted(execute, sql, params, many, context):
        # A counter, not CaptureQueriesContext: its debug cursor formats every query's SQL
        # with its parameters, work a production run does not do (~5% of the job's time).
        queries.append(1)
        return execute(sql, params, many, context)

    # Where the CPU goes: this process (the job, signing, storing) and the renderer's
    # children (drawing), which the floor compares with (see the CPU row).
    rendering.renderer_pool().start()  # every child up, as a worker has them when ready
    children = [worker.process.pid for worker in rendering.renderer_pool()._idle]
    children_cpu = sum(process_cpu_s(pid) for pid in children)
    own_cpu = time.process_time()
    started = time.perf_counter()
    with connection.execute_wrapper(counted):
        # Without a broker the job runs on commit of its start, in this process.
        job = bulk.bulk_job_start(
            course_certificate=course_certificate,
            kind=BulkJob.Kind.REISSUE,
            actor=staff,
            notify=False,
        )
        job = bulk.bulk_job_run(job_id=job.pk)  # finished already: a no-op
    seconds = time.perf_counter() - started
    own_cpu = time.process_time() - own_cpu
    children_cpu = sum(process_cpu_s(pid) for pid in children) - children_cpu
    assert job.done == BULK, (job.done, job.failed, job.errors)
    assert Certificate.objects.live().exclude(pdf="").count() == BULK
    return {
        "per_cert_ms": seconds * 1000 / BULK,
        "queries_per_cert": len(queries) / BULK,
        "job_cpu_ms": own_cpu * 1000 / BULK,
        "drawing_cpu_ms": children_cpu * 1000 / BULK,
    }


def part_issue_queries(folder: Path) -> dict:
    """Queries of one Issue now: htmx and plain form, with a broker (every after-commit task,
    the render, the email and the webhooks, is published to the broker) and in the tests'
    eager mode (those tasks run in-process after commit, inside the request; no deployment
    runs so: `make prod` requires a broker and `make demo` runs a queue in a file, measured
    by part_issue_queries_demo)."""
    setup(folder)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from certificates import services
    from lms.celery import app

    project, staff, course, _cc = school()
    contacts = people(project, course, "q", 5)
    services.certificate_issue(contact=contacts[0], course=course, actor=staff, force=True)
    client = Client()
    client.force_login(staff)
    counts = {}
    for n, (broker, htmx) in enumerate(
        [(True, True), (True, False), (False, True), (False, False)], start=1
    ):
        url = reverse(
            "staff:certificate_issue", args=[project.slug, contacts[n].public_id, course.public_id]
        )
        headers = {"HX-Request": "true"} if htmx else {}
        # With a broker: not eager, so .delay() publishes to the in-memory broker of the
        # settings (memory://), as it would to Redis: no task runs here.
        app.conf.task_always_eager = not broker
        try:
            with CaptureQueriesContext(connection) as queries:
                client.post(url, {"reason": ""}, headers=headers)
        finally:
            app.conf.task_always_eager = True
        counts[f"{'broker' if broker else 'eager (tests)'}, {'htmx' if htmx else 'form'}"] = len(
            queries
        )
    return counts


def part_issue_queries_demo(folder: Path) -> dict:
    """Queries of one Issue now without a broker, as `make demo` runs: Celery over kombu's
    SQLAlchemy transport, the queue in a SQLite file of its own beside the database. The
    figure is the app database's queries; the queue's own statements (its engine, its file)
    are counted apart, as a broker's commands are not queries of the database."""
    broker = f"sqla+sqlite:///{folder / 'celery-broker.sqlite3'}"
    setup(folder, broker_url=broker)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from certificates import services

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    queue_statements = []
    event.listen(Engine, "before_cursor_execute", lambda *args: queue_statements.append(1))
    project, staff, course, _cc = school()
    contacts = people(project, course, "d", 3)
    services.certificate_issue(contact=contacts[0], course=course, actor=staff, force=True)
    client = Client()
    client.force_login(staff)
    counts, queue = {}, {}
    for n, htmx in enumerate([True, False], start=1):
        url = reverse(
            "staff:certificate_issue", args=[project.slug, contacts[n].public_id, course.public_id]
        )
        queue_statements.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                url, {"reason": ""}, headers={"HX-Request": "true"} if htmx else {}
            )
        assert response.status_code in (200, 302), response.status_code
        label = f"database queue (make demo), {'htmx' if htmx else 'form'}"
        counts[label], queue[label] = len(queries), len(queue_statements)
    return {"queries": counts, "queue_statements": queue}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn on 127.0.0.1 with this process's environment (the same throwaway database)."""

    def __init__(self, **environment):
        # DEBUG=false serves hashed static names from the manifest, as in production: the
        # pages need collected static files (into this run's throwaway folder).
        environment.setdefault("STATIC_ROOT", str(Path(os.environ["MEDIA_ROOT"]).parent / "static"))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, **environment},
            check=True,
        )
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "lms.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env={**os.environ, **environment},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # answering
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def get(self, path: str, session: str) -> bytes:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"Cookie": f"sessionid={session}"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 200, response.status
            return response.read()

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def session_of(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def part_download(folder: Path, database_url: str = "") -> dict:
    """A stored PDF's download against the same download when it has to render (and sign)."""
    setup(folder, database_url)
    from django.urls import reverse

    from certificates import services
    from certificates.models import Certificate

    project, staff, course, _cc = school()
    contact = people(project, course, "d", 1)[0]
    certificate, _created = services.certificate_issue(
        contact=contact, course=course, actor=staff, force=True
    )
    url = reverse("staff:certificate_download", args=[project.slug, certificate.public_id])
    session = session_of(staff)
    # A connection per request: CONN_MAX_AGE=0 (the settings keep connections by default).
    server = Gunicorn(CONN_MAX_AGE="0")
    try:
        server.get(url, session)  # warm: the renderer, the key

        def rendered():
            Certificate.objects.filter(pk=certificate.pk).update(pdf="")
            server.get(url, session)

        render_ms = median_ms(rendered, HTTP_REPEAT)
        download_ms = median_ms(lambda: server.get(url, session), HTTP_REPEAT * 4)
    finally:
        server.close()
    # The same with the settings' defaults (what production runs): persistent connections.
    server = Gunicorn()
    try:
        server.get(url, session)
        persistent_ms = median_ms(lambda: server.get(url, session), HTTP_REPEAT * 4)
    finally:
        server.close()
    return {"download_ms": download_ms, "render_ms": render_ms, "persistent_ms": persistent_ms}


def part_report(folder: Path, size: int, database_url: str = "") -> dict:
    """The report's first page over HTTP in a school of `size` certificates."""
    import random

    setup(folder, database_url)
    import bench_report
    from django.db import connection
    from django.urls import reverse

    bench_report.CERTIFICATES = size
    (project, staff), _neighbour = bench_report.generate(random.Random(2026))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    url = reverse("staff:certificates_report", args=[project.slug])
    session = session_of(staff)
    server = Gunicorn()
    try:
        server.get(url, session)
        page_ms = median_ms(lambda: server.get(url, session), HTTP_REPEAT)
    finally:
        server.close()
    return {"page_ms": page_ms}


def part_export(folder: Path) -> dict:
    """Seed REPORT_BIG rows, then measure the CSV export in a fresh process on that database:
    this process's heap, grown by the seeding, would hide the export's own growth."""
    import random

    setup(folder)
    import bench_report

    bench_report.CERTIFICATES = REPORT_BIG
    bench_report.generate(random.Random(7))
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--part",
            "export_measure",
            "--database",
            os.environ["DATABASE_URL"],
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1800,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def part_export_measure(folder: Path, database_url: str) -> dict:
    """Peak RSS growth while the CSV export streams (VmHWM, reset just before)."""
    setup(folder, database_url)
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench-staff0@example.com"))
    url = reverse("staff:certificates_export", args=["bench"])
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to now
    before = rss_mb()
    response = client.get(url, {"format": "csv"})
    size = sum(len(chunk) for chunk in response.streaming_content)
    text = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024
    return {"growth_mb": peak - before, "bytes": size, "before_mb": before}


BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/8")


def worker_log(folder: Path, name: str) -> str:
    return (folder / f"{name}.log").read_text()[-3000:]


def cpu_seconds(root_pids: list[int]) -> float:
    """CPU time used so far by these processes and every live descendant (renderer children)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grew = set(root_pids), True
    while grew:
        children = {pid for pid, (parent, _ticks) in stats.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")


def start_workers(folder: Path, count: int, pinned: bool) -> list[tuple[str, subprocess.Popen]]:
    """`count` Celery worker processes, each its own node. Pinned: worker i runs on core i
    only (`taskset`; the renderer's children it starts inherit that) with one renderer child,
    so each worker is one core's worth, as one machine of a fleet would be. Not pinned: the
    production shape, the whole box and the settings' defaults (renderer children, threads).
    """
    started = []
    for i in range(count):
        name = f"w{i + 1}"
        command = [sys.executable, "-m", "celery", "-A", "lms", "worker", "-n", f"{name}@%h",
                   "--without-gossip", "--without-mingle", "-l", "INFO"]  # fmt: skip
        environment = os.environ.copy()
        if pinned:
            # Threads (the settings' pool): the worker that has the job renders alongside it;
            # the others sign and store one chunk while the next one's batch is drawn.
            command += ["-c", str(WORKER_THREADS)]
            command = ["taskset", "-c", str(i % CORES), *command]
            environment["CERTIFICATE_RENDER_WORKERS"] = "1"
        log = open(folder / f"{name}.log", "w")  # noqa: SIM115 (closed when the worker ends)
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=log
        )
        log.close()  # the child has its own descriptor
        started.append((name, process))
    return started


def wait_ready(folder: Path, workers: list[tuple[str, subprocess.Popen]]) -> None:
    deadline = time.monotonic() + 120
    for name, process in workers:
        while "ready." not in worker_log(folder, name):
            time.sleep(0.2)
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"worker {name} did not start: {worker_log(folder, name)}")


def part_bulk_workers(folder: Path, database_url: str) -> dict:
    """The production path of a bulk reissue of BULK_WORKERS certificates: the job and the
    renders run in real Celery worker processes (BENCH_WORKERS of them; BENCH_PINNED=1: each
    pinned to a core of its own) over a Redis broker and PostgreSQL; the clock starts when
    every worker is ready and stops when the job is finished and every new certificate has its
    stored PDF. Also how many chunk renders each worker ran (from the workers' own counts)."""
    count = int(os.environ["BENCH_WORKERS"])
    pinned = os.environ.get("BENCH_PINNED", "") not in ("", "0")
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()  # nothing left over from an earlier run
    setup(folder, database_url, BROKER_URL)
    from django.conf import settings

    assert not settings.CELERY_TASK_ALWAYS_EAGER  # the workers do the work, not this process
    from certificates import bulk, signing
    from certificates.models import BulkJob, Certificate
    from lms.celery import app

    project, staff, course, course_certificate = school()
    # A school that reissues has issued before: its signing key exists (made once, ~0.6 s).
    signing.school_key(project)
    # The workers start (a few seconds) while the first issues are made.
    workers = start_workers(folder, count, pinned)
    try:
        issued_then_outdated(project, staff, course, course_certificate, "w", BULK_WORKERS)
        wait_ready(folder, workers)
        pids = [process.pid for _name, process in workers]
        cpu_before = cpu_seconds(pids)
        started = time.perf_counter()
        job = bulk.bulk_job_start(
            course_certificate=course_certificate,
            kind=BulkJob.Kind.REISSUE,
            actor=staff,
            notify=False,
        )
        deadline = time.monotonic() + 3600
        while True:
            job.refresh_from_db()
            rendered = Certificate.objects.live().exclude(pdf="").count()
            if job.status == BulkJob.Status.FINISHED and rendered == BULK_WORKERS:
                cpu = cpu_seconds(pids) - cpu_before
                break
            dead = [name for name, process in workers if process.poll() is not None]
            if time.monotonic() > deadline or dead:
                stuck = f"bulk job stuck: {job.status}, {rendered}/{BULK_WORKERS} rendered"
                logs = "".join(worker_log(folder, name) for name, _process in workers)
                raise RuntimeError(f"{stuck}: {logs}")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        stats = app.control.inspect(timeout=2).stats() or {}
    finally:
        for _name, process in workers:
            process.terminate()
        for _name, process in workers:
            process.wait(timeout=60)
    assert job.done == BULK_WORKERS, (job.done, job.failed, job.errors)
    renders = {
        node.split("@")[0]: stat.get("total", {}).get("certificates.tasks.certificates_render", 0)
        for node, stat in stats.items()
    }
    return {
        "workers": count,
        "pinned": pinned,
        "certificates": BULK_WORKERS,
        "per_cert_ms": seconds * 1000 / BULK_WORKERS,
        "renders_by_worker": renders,
        # How much of their cores the workers and their renderer children had during the
        # clock: well below 1 means something else on the machine had the rest (the
        # database, or another program), and the figure says less about the workers.
        "cpu_share": cpu / (seconds * (count if pinned else CORES)),
    }


PARTS = {
    "render": part_render,
    "bulk": part_bulk,
    "issue_queries": part_issue_queries,
    "issue_queries_demo": part_issue_queries_demo,
    "download": part_download,
    "report_small": lambda folder, url="": part_report(folder, REPORT_SMALL, url),
    "report_big": lambda folder, url="": part_report(folder, REPORT_BIG, url),
    "export": part_export,
}
HELPERS = {"export_measure": part_export_measure, "bulk_workers": part_bulk_workers}


def run_part(name: str, database_url: str = "", **environment) -> dict | None:
    args = [sys.executable, __file__, "--part", name]
    if database_url:
        args += ["--database", database_url]
    started = time.perf_counter()
    result = subprocess.run(
        args,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=3600,
        env={**os.environ, **environment},
    )
    if result.returncode != 0:
        print(f"  {name}: FAILED\n{result.stderr[-3000:]}", file=sys.stderr)
        return None
    print(
        f"  {name}{' (PostgreSQL)' if database_url else ''}: {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def throwaway_postgres(url: str):
    """A new database on BENCH_DATABASE_URL's server: (its URL, drop)."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = f"lms_bench_{uuid.uuid4().hex[:8]}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def main() -> None:
    if "--part" in sys.argv:
        name = sys.argv[sys.argv.index("--part") + 1]
        database = sys.argv[sys.argv.index("--database") + 1] if "--database" in sys.argv else ""
        with tempfile.TemporaryDirectory() as folder:
            function = {**PARTS, **HELPERS}[name]
            result = function(Path(folder), database) if database else function(Path(folder))
        print(json.dumps(result))
        return

    pg_url = os.environ.get("BENCH_DATABASE_URL", "")
    print(
        f"make bench: {CORES} cores, renders {RENDERS}, batch {BATCH_PAGES} pages, RSS after "
        f"{RSS_RENDERS}, bulk {BULK}, report {REPORT_BIG:,}/{REPORT_SMALL:,}"
        f"{', PostgreSQL too' if pg_url else ''}",
        file=sys.stderr,
    )
    got = {name: run_part(name) for name in PARTS}
    if pg_url:
        for name in ("download", "report_small", "report_big"):
            url, drop = throwaway_postgres(pg_url)
            try:
                got[f"{name}_pg"] = run_part(name, url)
            finally:
                drop()
        # The job and its renders in real worker processes: 1 and 2 of them, each pinned to
        # a core of its own (horizontal scaling); then one worker on the whole box, as
        # production runs it on one machine.
        for key, workers, pinned in (("1", 1, "1"), ("2", 2, "1"), ("box", 1, "0")):
            url, drop = throwaway_postgres(pg_url)
            try:
                got[f"bulk_workers_{key}"] = run_part(
                    "bulk_workers", url, BENCH_WORKERS=str(workers), BENCH_PINNED=pinned
                )
            finally:
                drop()

    rows = []  # (figure, goal text, measured value, holds)

    def row(figure, goal, value, holds, fmt="{:.2f}"):
        rows.append((figure, goal, fmt.format(value) if value is not None else "n/a", holds))

    r, b = got.get("render"), got.get("bulk")
    if r:
        row(
            "render pipeline / raw WeasyPrint write_pdf",
            "<= 1.0",
            r["pipeline_ms"] / r["raw_ms"],
            r["pipeline_ms"] / r["raw_ms"] <= 1.0,
        )
        overhead = (r["signed_ms"] - r["pipeline_ms"]) / r["pipeline_ms"]
        row(
            "render + sign / render - 1 (signing overhead)",
            "<= 15%",
            overhead * 100,
            overhead <= 0.15,
            "{:.1f}%",
        )
        growth = r["rss_last_mb"] / r["rss_first_mb"]
        row(f"RSS after {RSS_RENDERS} renders / after 1", "<= 1.2", growth, growth <= 1.2)
    if r and b:
        per_cert = b["per_cert_ms"] / r["raw_ms"]
        row("bulk reissue per certificate / raw render", "<= 0.6", per_cert, per_cert <= 0.6)
        floor = CORES * 1000 / r["batch_page_ms"]  # pages per second, all cores
        throughput = 1000 / b["per_cert_ms"]
        row(
            f"bulk throughput / floor ({CORES} cores x batched page)",
            ">= 0.85",
            throughput / floor,
            throughput / floor >= 0.85,
        )
        # The ceiling of that ratio when every core is busy: the floor's CPU per page over the
        # CPU a certificate of the job costs (drawing in the children + the job's process).
        cpu = b["drawing_cpu_ms"] + b["job_cpu_ms"]
        row(
            f"  CPU per certificate: drawing {b['drawing_cpu_ms']:.0f} + job "
            f"{b['job_cpu_ms']:.0f} ms; batched page {r['batch_page_ms']:.0f} ms; ceiling",
            "-",
            r["batch_page_ms"] / cpu,
            None,
        )
    w1, w2 = got.get("bulk_workers_1"), got.get("bulk_workers_2")
    box = got.get("bulk_workers_box")
    if r and box:
        # With a broker as production runs on this machine: one worker, the settings' threads
        # and renderer children, the job and the chunks' renders as tasks.
        per_cert = box["per_cert_ms"] / r["raw_ms"]
        row(
            "  the same with a broker: 1 worker on the whole box (PostgreSQL, Redis)",
            "<= 0.6",
            per_cert,
            per_cert <= 0.6,
        )
        throughput = 1000 / box["per_cert_ms"]
        floor = CORES * 1000 / r["batch_page_ms"]
        row(
            "  bulk throughput / floor, with a broker: 1 worker on the whole box",
            ">= 0.85",
            throughput / floor,
            throughput / floor >= 0.85,
        )
    if r and w2:
        # Information: the two pinned workers of the scaling figure below, each one core's
        # worth with one renderer child.
        row(
            "  per certificate / raw render, 2 pinned worker processes",
            "-",
            w2["per_cert_ms"] / r["raw_ms"],
            None,
        )
    scaling = w1["per_cert_ms"] / w2["per_cert_ms"] if w1 and w2 else None
    spread = "/".join(str(n) for _w, n in sorted(w2["renders_by_worker"].items())) if w2 else "-"
    row(
        "bulk with 2 worker processes / 1, each pinned to one core with one renderer child "
        f"(PostgreSQL, Redis; chunks w1/w2 {spread})",
        ">= 1.7",
        scaling,
        scaling >= 1.7 if scaling else None,
    )
    if w1 and w2:
        # Below 1: the database, Redis or another program had part of the workers' cores, which
        # lowers the ratio above (with one worker they use the core left free).
        row(
            "  share of their cores the pinned workers had, 1 / 2 workers",
            "-",
            f"{w1['cpu_share']:.2f} / {w2['cpu_share']:.2f}",
            None,
            "{}",
        )
    for suffix, label in (("", "SQLite"), ("_pg", "PostgreSQL")):
        d = got.get(f"download{suffix}")
        if d:
            ratio = d["persistent_ms"] / d["render_ms"]
            row(
                f"stored PDF download / render, HTTP ({label}, default settings)",
                "<= 0.05",
                ratio,
                ratio <= 0.05,
                "{:.3f}",
            )
            ratio = d["download_ms"] / d["render_ms"]
            row(
                f"  the same with a connection per request (CONN_MAX_AGE=0, {label})",
                "-",
                ratio,
                None,
                "{:.3f}",
            )
            speedup = d["download_ms"] / d["persistent_ms"]
            row(
                f"downloads per second, persistent / per-request connections ({label})",
                "~3",
                speedup,
                None,
            )
        small, big = got.get(f"report_small{suffix}"), got.get(f"report_big{suffix}")
        if small and big:
            ratio = big["page_ms"] / small["page_ms"]
            row(
                f"report first page {REPORT_BIG:,} / {REPORT_SMALL:,}, HTTP ({label})",
                "<= 1.25",
                ratio,
                ratio <= 1.25,
            )
    q = dict(got.get("issue_queries") or {})
    demo = got.get("issue_queries_demo")
    if demo:
        q.update(demo["queries"])
    if q:
        # The tests' eager mode runs the render, email and webhook tasks inside the request:
        # printed, but no deployment runs so (make prod needs a broker, make demo a queue).
        deployed = {k: v for k, v in q.items() if not k.startswith("eager")}
        worst = max(deployed.values())
        row(
            "queries of one Issue now (worst of: "
            + ", ".join(f"{k} {v}" for k, v in deployed.items())
            + ")",
            "<= 15",
            worst,
            worst <= 15,
            "{:.0f}",
        )
        for k, v in q.items():
            if k not in deployed:
                row(f"  {k} (tasks run inside the request)", "-", v, None, "{:.0f}")
    e = got.get("export")
    if e:
        row(
            f"CSV export of {REPORT_BIG:,} rows, peak RSS growth (MB)",
            "<= 50",
            e["growth_mb"],
            e["growth_mb"] <= 50,
            "{:.1f}",
        )

    width = max(len(f) for f, *_ in rows)
    print(f"{'figure':<{width}}  {'goal':>8}  {'measured':>9}  holds")
    print("-" * (width + 30))
    for figure, goal, value, holds in rows:
        verdict = "-" if holds is None else ("yes" if holds else "NO")
        print(f"{figure:<{width}}  {goal:>8}  {value:>9}  {verdict}")
    print(
        json.dumps(
            {
                "figures": [
                    dict(zip(("figure", "goal", "measured", "holds"), r_, strict=True))
                    for r_ in rows
                ],
                "raw": got,
            }
        )
    )


if __name__ == "__main__":
    main()
