"""Issue and render throughput: how many certificates per second, how long one PDF takes.

    SECRET_KEY=x .venv/bin/python scripts/bench.py            # or: make bench
    BENCH_ISSUES=200 BENCH_RENDERS=50 ... scripts/bench.py     # bigger runs

Runs on a throwaway SQLite file (the embedded default) in a temporary folder, so the demo
database is never touched. Prints:
- render time per PDF, cold (a fresh process: WeasyPrint import, font configuration, first
  layout) and warm (the same process again: the shared font configuration and image cache),
  with libharfbuzz-subset0 and, simulated in a separate process, without it (WeasyPrint then
  falls back to fontTools for font subsetting);
- certificates issued per second through certificates.services.certificate_issue, alone and
  with the PDF rendered and stored after commit (what automatic issuance does in-process).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ISSUES = int(os.environ.get("BENCH_ISSUES", 60))
RENDERS = int(os.environ.get("BENCH_RENDERS", 20))


def configure_environment(folder: Path) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("SIGNING_KEY_ENCRYPTION_KEY", "bench-only-signing-key")
    os.environ["DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private")
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["CELERY_BROKER_URL"] = ""  # background work in-process, as embedded
    os.environ["LOG_LEVEL"] = "ERROR"
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


def render_only(without_subset: bool) -> dict:
    """Run in a fresh process: the first render is the cold one."""
    with tempfile.TemporaryDirectory() as folder:
        configure_environment(Path(folder))
        started = time.perf_counter()
        if without_subset:
            # The same code path as a machine without libharfbuzz-subset0.
            import weasyprint.pdf.fonts
            import weasyprint.text.ffi

            weasyprint.text.ffi.harfbuzz_subset = None
            weasyprint.pdf.fonts.harfbuzz_subset = None
        import django

        django.setup()
        from certificates import defaults, rendering

        def render(values, in_process=False):
            arguments = dict(
                school_id=1,
                html=defaults.CLASSIC_HTML,
                css=defaults.CLASSIC_CSS,
                page_size="A4",
                orientation="landscape",
                values=values,
            )
            # The same job drawn here, without the renderer pool. The simulation without
            # libharfbuzz-subset0 patches WeasyPrint in this process only, so it draws here.
            if in_process or without_subset:
                return rendering.draw(rendering.render_job(**arguments))
            return rendering.render_pdf(**arguments)

        values = sample_values()
        pdf = render(values)
        cold = time.perf_counter() - started
        warm, here = [], []
        for i in range(RENDERS):
            values = {**values, "verification_url": f"http://127.0.0.1:8000/verify/CODE{i:012d}/"}
            t = time.perf_counter()
            render(values)
            warm.append(time.perf_counter() - t)
            t = time.perf_counter()
            render(values, in_process=True)
            here.append(time.perf_counter() - t)
        # What the renderer pool adds to each render: sending the job, the PDF back, the check.
        overhead = [pool - local for pool, local in zip(warm, here, strict=True)]
        return {
            "cold_ms": cold * 1000,
            "warm_median_ms": statistics.median(warm) * 1000,
            "warm_p95_ms": sorted(warm)[max(0, int(len(warm) * 0.95) - 1)] * 1000,
            "in_process_median_ms": statistics.median(here) * 1000,
            "pool_overhead_median_ms": statistics.median(overhead) * 1000,
            "pdf_kb": len(pdf) / 1024,
        }


def render_in_subprocess(without_subset: bool) -> dict:
    args = [sys.executable, __file__, "--render-only"]
    if without_subset:
        args.append("--without-harfbuzz-subset")
    result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"render benchmark failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def harfbuzz_subset_installed() -> bool:
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


def issue_throughput() -> tuple[float, float]:
    """(issued per second without the PDF, issued per second with the PDF rendered)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from accounts.models import Membership, Project, User
    from certificates import defaults, services, tasks
    from certificates.models import Certificate, CertificateTemplate, CourseCertificate
    from contacts.models import Contact
    from courses.models import Access, Course, Lesson

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
    CourseCertificate.objects.create(
        project=project, course=course, title="Certificate", template=template, number_prefix="PY"
    )

    def contacts(label, count):
        made = []
        for i in range(count):
            contact = Contact.objects.create(
                project=project, name=f"Олена Коваленко {label}{i}", email=f"{label}{i}@x.test"
            )
            Access.objects.create(contact=contact, course=course)
            made.append(contact)
        return made

    def issue_all(people):
        started = time.perf_counter()
        for contact in people:
            services.certificate_issue(contact=contact, course=course, actor=staff, force=True)
        return len(people) / (time.perf_counter() - started)

    # Without the PDF: the after-commit task is replaced by nothing for this part.
    real_delay = tasks.certificate_issued.delay
    tasks.certificate_issued.delay = lambda *args, **kwargs: None
    try:
        bare = issue_all(contacts("a", ISSUES))
    finally:
        tasks.certificate_issued.delay = real_delay
    with_pdf = issue_all(contacts("b", ISSUES))
    rendered = Certificate.objects.exclude(pdf="").count()
    assert rendered == ISSUES, f"expected {ISSUES} PDFs, found {rendered}"
    return bare, with_pdf


def main() -> None:
    if "--render-only" in sys.argv:
        print(json.dumps(render_only("--without-harfbuzz-subset" in sys.argv)))
        return

    with tempfile.TemporaryDirectory() as folder:
        configure_environment(Path(folder))
        import django

        django.setup()
        has_subset = harfbuzz_subset_installed()

        print(f"Certificate benchmark ({ISSUES} issues per run, {RENDERS} warm renders)")
        print(f"libharfbuzz-subset0 found by WeasyPrint: {'yes' if has_subset else 'no'}")
        print()
        rows = [("with libharfbuzz-subset0" if has_subset else "as installed", False)]
        if has_subset:
            rows.append(("without (simulated)", True))
        header = f"{'cold ms':>9} {'warm median':>12} {'warm p95':>9} {'size KB':>8}"
        print(f"{'PDF render':28} {header}")
        results = {}
        for label, without in rows:
            r = render_in_subprocess(without)
            results[without] = r
            print(
                f"{label:28} {r['cold_ms']:9.0f} {r['warm_median_ms']:10.1f}ms "
                f"{r['warm_p95_ms']:7.1f}ms {r['pdf_kb']:8.1f}"
            )
            if not without:
                print(
                    f"{'':28} in-process {r['in_process_median_ms']:.1f} ms; the renderer pool "
                    f"adds {r['pool_overhead_median_ms']:.1f} ms (median)"
                )
        if has_subset:
            ratio = results[True]["warm_median_ms"] / results[False]["warm_median_ms"]
            print(f"{'':28} without libharfbuzz-subset0 a warm render is {ratio:.1f}x slower")
        print()
        bare, with_pdf = issue_throughput()
        print(f"{'Issue (certificate_issue)':28} {'per second':>10}")
        print(f"{'issue only':28} {bare:10.1f}")
        print(f"{'issue + PDF render + store':28} {with_pdf:10.1f}")


if __name__ == "__main__":
    main()
