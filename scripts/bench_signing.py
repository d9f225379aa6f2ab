"""Render vs render + sign, side by side: what the PDF signature adds to a certificate's render.

    SECRET_KEY=x .venv/bin/python scripts/bench_signing.py       # also run by `make bench`
    BENCH_SIGN_RUNS=50 ...                                        # more runs

Runs on a throwaway SQLite file in a temporary folder. Prints the median of each over the
runs (after one warm-up), and the overhead in percent; the budget is 15%.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

RUNS = int(os.environ.get("BENCH_SIGN_RUNS", 30))
BUDGET_PERCENT = 15


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        from bench import configure_environment, sample_values

        configure_environment(Path(folder))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from accounts.models import Project
        from certificates import defaults, rendering, signing

        project = Project.objects.create(slug="bench", name="Bench School")
        values = sample_values()

        def render() -> bytes:
            return rendering.render_pdf(
                school_id=project.id,
                html=defaults.CLASSIC_HTML,
                css=defaults.CLASSIC_CSS,
                page_size="A4",
                orientation="landscape",
                values=values,
                metadata=rendering.certificate_metadata(values),
            )

        signing.sign_pdf(render(), project=project)  # warm-up: keys created and loaded once
        render_times, signed_times, sign_only = [], [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            render()
            render_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            pdf = render()
            rendered = time.perf_counter()
            signing.sign_pdf(pdf, project=project)
            done = time.perf_counter()
            signed_times.append(done - started)
            sign_only.append(done - rendered)
        render_ms = statistics.median(render_times) * 1000
        signed_ms = statistics.median(signed_times) * 1000
        sign_ms = statistics.median(sign_only) * 1000
        overhead = 100 * (signed_ms - render_ms) / render_ms
        print(f"PDF signing ({RUNS} runs, medians):")
        print(f"  render only          {render_ms:7.1f} ms")
        print(f"  render + sign        {signed_ms:7.1f} ms")
        print(f"  sign alone           {sign_ms:7.1f} ms")
        verdict = "within" if overhead <= BUDGET_PERCENT else "OVER"
        print(f"  overhead             {overhead:7.1f} %  ({verdict} the {BUDGET_PERCENT}% budget)")


if __name__ == "__main__":
    main()
