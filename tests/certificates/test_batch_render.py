"""Many certificates drawn as one WeasyPrint document and split: each PDF its own.

services.certificates_render_many draws a bulk job's chunk in batches across the renderer's
children (rendering.render_many, draw_batch), signs each PDF in this process and stores it
once, as certificate_render_once does for one.
"""

import io
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from certificates import bulk, defaults, rendering, services, signing
from certificates.bulk import bulk_job_start
from certificates.models import Certificate
from certificates.services import certificate_issue, certificates_render_many
from tests.factories import AccessFactory, ContactFactory
from tests.faults.helpers import assert_each_reissued_once, outdated_certificates
from tests.helpers import pdf_text
from tests.trust.test_pdf_signing import pyhanko_status

NAMES = ["Олена Коваленко", "Marta Nowak-Żółć", "Jean-Luc O'Neill"]


def issued(project, course, alice, names=NAMES) -> list[Certificate]:
    """Certificates issued by staff, without a PDF yet (nothing runs after commit here)."""
    certificates = []
    for name in names:
        contact = ContactFactory(project=project, name=name)
        AccessFactory(contact=contact, course=course)
        certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
        certificates.append(certificate)
    return certificates


@pytest.fixture
def drawn(monkeypatch):
    """What the renderer's children were asked to draw: ("batch", n) or ("one", 1) each."""
    calls = []
    real = rendering._run

    def run(func, job, *, jobs=1):
        calls.append(("batch", len(job)) if func is rendering.draw_batch else ("one", 1))
        return real(func, job, jobs=jobs)

    monkeypatch.setattr(rendering, "_run", run)
    return calls


def stored_files() -> list[str]:
    """Every file in the private storage, by its name there."""
    root = Path(Certificate._meta.get_field("pdf").storage.location)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def pdf_of(certificate) -> bytes:
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def pdftotext(tmp_path, pdf: bytes) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60, check=True
    ).stdout


def test_each_certificate_of_a_batch_gets_its_own_signed_pdf(
    project, course, alice, drawn, tmp_path
):
    certificates = issued(project, course, alice)

    assert certificates_render_many(certificate_ids=[c.pk for c in certificates]) == 3

    assert drawn == [("batch", 3)]  # one document for the three
    for certificate, name in zip(certificates, NAMES, strict=True):
        pdf = pdf_of(certificate)
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1  # its own page, no other
        text = " ".join(pdftotext(tmp_path, pdf).split())
        assert name in text and certificate.number in text
        others = [c for c in certificates if c != certificate]
        assert not any(other.number in text or other.printed_name in text for other in others)
        # Its own metadata, PDF/A-3b, and a signature that verifies.
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        info = reader.trailer_view["/Info"]
        assert str(info["/Title"]) == f"Certificate of Completion {certificate.number}"
        url = f"{settings.SITE_URL}/verify/{certificate.code}/"
        assert str(info["/VerificationURL"]) == url
        xmp = reader.root["/Metadata"].get_object().data.decode()
        assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
        assert certificate.number in xmp
        assert not any(other.number in xmp for other in others)
        status = pyhanko_status(pdf)
        assert status.intact and status.valid and status.trusted
        assert signing.check_pdf(pdf).outcome == "intact"


def test_a_split_pdf_looks_like_a_certificate(project, course, alice, tmp_path):
    """Drawn to PNG (pdftoppm) for a look; here its page is the design's size, not blank."""
    certificates = issued(project, course, alice, names=["Олена Коваленко", "Marta Nowak"])
    certificates_render_many(certificate_ids=[c.pk for c in certificates])
    path = tmp_path / "second.pdf"
    path.write_bytes(pdf_of(certificates[1]))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-singlefile", str(path), str(tmp_path / "second")],
        check=True,
        timeout=60,
    )
    with Image.open(tmp_path / "second.png") as image:
        assert image.size == (468, 331)  # A4 landscape at 40 dpi
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 50  # text, frame and QR code drawn, not an empty page


def test_a_repeated_call_stores_nothing_new(project, course, alice, drawn):
    certificates = issued(project, course, alice, names=NAMES[:2])
    ids = [c.pk for c in certificates]
    assert certificates_render_many(certificate_ids=ids) == 2
    files = stored_files()
    names = list(Certificate.objects.filter(pk__in=ids).order_by("pk").values_list("pdf"))

    assert certificates_render_many(certificate_ids=ids) == 0

    assert drawn == [("batch", 2)]  # the second call drew nothing
    assert stored_files() == files and len(files) == 2
    assert list(Certificate.objects.filter(pk__in=ids).order_by("pk").values_list("pdf")) == names


def test_one_certificate_too_long_fails_alone(project, course, alice, drawn, settings):
    """The batch fails (a body over the page limit); each is drawn again on its own, and only
    the long one is left without a PDF."""
    settings.CERTIFICATE_MAX_PAGES = 1
    template = course.certificate.template
    template.html = '<p class="name">{{ participant_name }}</p><p>{{ certificate_number }}</p>'
    template.css = ".name { font-size: 120pt; }"
    services.template_save(template=template)
    long_name = " ".join(["Wolfeschlegelstein"] * 10)  # a word a line: three pages
    certificates = issued(project, course, alice, names=["Ann Lee", long_name, "Bo Kim"])
    drawn.clear()  # template_save drew the design once with sample values

    assert certificates_render_many(certificate_ids=[c.pk for c in certificates]) == 2

    assert drawn == [("batch", 3), ("one", 1), ("one", 1), ("one", 1)]
    short, long, other = (Certificate.objects.get(pk=c.pk) for c in certificates)
    assert not long.pdf
    for certificate, name in ((short, "Ann Lee"), (other, "Bo Kim")):
        printed = pdf_text(pdf_of(certificate))
        assert name in printed and certificate.number in printed


class Killed(BaseException):
    """Stands for SIGKILL: nothing catches it."""


def test_killed_while_drawing_stores_nothing_and_the_next_run_stores_each_once(
    project, course, alice, monkeypatch
):
    certificates = issued(project, course, alice)
    ids = [c.pk for c in certificates]
    real_sign, calls = signing.sign_pdf, []

    def sign(pdf, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Killed
        return real_sign(pdf, **kwargs)

    monkeypatch.setattr(signing, "sign_pdf", sign)
    with pytest.raises(Killed):
        certificates_render_many(certificate_ids=ids)
    assert stored_files() == []
    assert not Certificate.objects.filter(pk__in=ids).exclude(pdf="").exists()

    monkeypatch.setattr(signing, "sign_pdf", real_sign)
    assert certificates_render_many(certificate_ids=ids) == 3
    assert len(stored_files()) == 3
    stored = set(Certificate.objects.filter(pk__in=ids).values_list("pdf", flat=True))
    assert set(stored_files()) == stored


def test_killed_while_storing_leaves_no_file_behind(project, course, alice, monkeypatch):
    certificates = issued(project, course, alice, names=NAMES[:2])

    def bulk_update(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(Certificate.objects, "bulk_update", bulk_update)
    with pytest.raises(Killed):
        certificates_render_many(certificate_ids=[c.pk for c in certificates])
    assert stored_files() == []  # the files written were deleted with the rollback
    assert not Certificate.objects.exclude(pdf="").exists()


def landscape_job(project, html: str, css: str):
    """A landscape A4 certificate of `html` and `css` filled with the sample values."""
    return rendering.render_job(
        school_id=project.id,
        html=html,
        css=css,
        page_size="A4",
        orientation="landscape",
        values=defaults.sample_values(project.name),
    )


@pytest.mark.parametrize(
    ("html", "css"),
    [
        (defaults.CLASSIC_HTML, defaults.CLASSIC_CSS),
        (defaults.MODERN_HTML, defaults.MODERN_CSS),
        (defaults.ELEGANT_HTML, defaults.ELEGANT_CSS),
    ],
)
def test_the_default_designs_are_drawn_in_batches(project, html, css):
    job = landscape_job(project, html, css)
    assert rendering.batchable(job)


@pytest.mark.parametrize(
    ("html", "css"),
    [
        ("<p>{{ participant_name }}</p>", "@page { @bottom-center { content: counter(page) } }"),
        ("<p>{{ participant_name }}</p>", ".seal { position: fixed; }"),
        ("<p>{{ participant_name }}</p>", "p:first-child { color: red }"),
        ("<p>{{ participant_name }}</p>", "h1 + p { color: red }"),
        ("<p>{{ participant_name }}</p>", "p { color: red !important }"),
        ("<div><p>{{ participant_name }}</p>", ""),  # never closed: would swallow the next
        ("<p>{{ participant_name }}", ""),  # an end tag implied
        ('<a href="#x">{{ participant_name }}</a>', ""),
        ("<p>{{ participant_name }}</p>", '@import url("fonts.css");'),  # a file, unchecked
    ],
)
def test_what_depends_on_the_rest_of_the_document_is_drawn_alone(project, html, css):
    job = landscape_job(project, html, css)
    assert not rendering.batchable(job)


def test_a_body_taller_than_its_page_is_drawn_alone(project, drawn):
    """A portrait design on a landscape page overflows its one page; after another body it
    would start a page later, so the batch is refused and each drawn on its own."""
    jobs = [
        rendering.render_job(
            school_id=project.id,
            html=defaults.ELEGANT_HTML,
            css=defaults.ELEGANT_CSS,
            page_size="A4",
            orientation="landscape",
            values={**defaults.sample_values(project.name), "participant_name": name},
        )
        for name in ("Ann Lee", "Bo Kim")
    ]

    results = dict(rendering.render_many(jobs))

    assert drawn == [("batch", 2), ("one", 1), ("one", 1)]
    for index, name in enumerate(("Ann Lee", "Bo Kim")):
        assert len(PdfReader(io.BytesIO(results[index])).pages) == 1
        assert name in pdf_text(results[index])


@pytest.mark.django_db(transaction=True)
def test_a_bulk_reissue_draws_each_chunk_in_batches_and_emails_each_student(
    project, course, alice, monkeypatch
):
    """On commit, as in production: chunks of 2 here, each drawn as one batch (none one by
    one), every new certificate stored with its PDF, and one email each."""
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 2)
    old = outdated_certificates(project, course, 5)
    batches, singles = [], []
    real_many, real_once = services.certificates_render_many, services.certificate_render_once

    def many(*, certificate_ids):
        batches.append(len(certificate_ids))
        return real_many(certificate_ids=certificate_ids)

    def once(*, certificate_id):
        singles.append(certificate_id)
        return real_once(certificate_id=certificate_id)

    monkeypatch.setattr(services, "certificates_render_many", many)
    monkeypatch.setattr(services, "certificate_render_once", once)
    mail.outbox.clear()

    # Without a broker the job runs on commit of its start, here.
    job = bulk_job_start(
        course_certificate=course.certificate, kind="reissue", actor=alice, notify=True
    )

    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("finished", 5, 0)
    assert_each_reissued_once(course, old)
    assert batches == [2, 2, 1]
    assert singles == []
    live = Certificate.objects.live().filter(course_certificate=course.certificate)
    assert all(services.certificate_pdf_ready(certificate) for certificate in live)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        certificate.contact.email for certificate in old
    )


def test_font_subsetting_asks_cffi_for_one_array_type_whatever_the_length():
    from cffi import FFI

    ffi = FFI()
    asked = []

    class Recording:
        def new(self, cdecl, init=None):
            asked.append(cdecl)
            return ffi.new(cdecl, init)

    arrays = rendering._OpenArrays(Recording())
    assert list(arrays.new("unsigned int[3]", (5, 6, 7))) == [5, 6, 7]
    assert list(arrays.new("unsigned int[2]", [8, 9])) == [8, 9]
    assert len(arrays.new("unsigned int[4]")) == 4  # no items: the length is the type's
    assert asked == ["unsigned int[]", "unsigned int[]", "unsigned int[4]"]


def test_without_a_broker_two_chunks_are_drawn_at_once_and_the_job_waits_for_every_one(
    monkeypatch,
):
    """The renderer's children never wait between chunks: while one chunk is signed and
    stored the next is already drawing. No more than two at once, in the order the chunks
    were done, and leaving the job's block means every chunk is drawn."""
    import threading
    import time

    from django.db import connection

    if connection.vendor == "sqlite":
        # The threaded path, which PostgreSQL takes anyway (its connection has no such method).
        monkeypatch.setattr(connection, "is_in_memory_db", lambda: False)
    log, running, most = [], [], []
    lock = threading.Lock()

    def sent(certificate_ids, notify_ids):
        with lock:
            running.append(certificate_ids[0])
            most.append(len(running))
            log.append(("start", certificate_ids[0], threading.current_thread().name))
        time.sleep(0.05)
        with lock:
            running.remove(certificate_ids[0])
            log.append(("end", certificate_ids[0]))

    monkeypatch.setattr(bulk, "_send_drawn", sent)
    with bulk._drawn_alongside() as draw:
        for chunk in (1, 2, 3, 4, 5):
            draw([chunk], [])
        assert len([entry for entry in log if entry[0] == "end"]) < 5  # still drawing

    assert max(most) == 2
    assert [entry[1] for entry in log if entry[0] == "start"] == [1, 2, 3, 4, 5]
    assert sorted(entry[1] for entry in log if entry[0] == "end") == [1, 2, 3, 4, 5]
    assert all(entry[2].startswith("bulk-render") for entry in log if entry[0] == "start")
