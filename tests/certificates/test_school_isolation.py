"""One school's uploads are invisible to another school's templates, by every path form."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from certificates import rendering
from certificates.models import CertificateTemplate
from certificates.services import certificate_issue, certificate_pdf, template_save
from tests.factories import AccessFactory, ProjectFactory

GREEN = (0, 200, 0)  # school B's upload
BLUE = (0, 0, 230)  # school A's own upload, for the controls
WHITE = (255, 255, 255)
PAGE_FILLING_IMG = "img { display: block; width: 297mm; height: 210mm; }"


def png_upload(color, name="seal.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def upload(project, color) -> Path:
    """A background uploaded through the service, as the editor does; its file on disk."""
    template = template_save(
        template=CertificateTemplate(
            project=project, name="Seal", html="<p></p>", background=png_upload(color)
        )
    )
    return Path(settings.MEDIA_ROOT) / template.background.name


def static_dir() -> Path:
    return Path(settings.STATICFILES_DIRS[0]).resolve()


def encoded(path: Path) -> str:
    """Every byte of every path segment percent-encoded."""
    segments = str(path).split("/")
    return "/".join("".join(f"%{b:02X}" for b in s.encode()) for s in segments)


# How a template may name a file; relative forms resolve against our static folder.
PATH_FORMS = {
    "relative": lambda p: os.path.relpath(p, static_dir()),
    "relative-encoded": lambda p: os.path.relpath(p, static_dir()).replace("..", "%2e%2e"),
    "absolute-file-url": lambda p: p.as_uri(),
    "file-without-slashes": lambda p: f"file:{p}",
    "file-localhost": lambda p: f"file://localhost{p}",
    "percent-encoded": lambda p: "file://" + encoded(p),
}
# Where a template may put it: an <img>, or a CSS url().
CONTEXTS = {
    "img": lambda url: (f'<img src="{url}" alt="">', PAGE_FILLING_IMG),
    "css-url": lambda url: ("<p></p>", f'html {{ background: url("{url}") center / cover; }}'),
}


@pytest.fixture
def school_b(db):
    return ProjectFactory(name="School B", slug="school-b")


@pytest.fixture
def b_file(school_b):
    return upload(school_b, GREEN)


@pytest.fixture
def a_file(project):
    return upload(project, BLUE)


def preview_pixel(client, project, html, css):
    url = reverse("staff:template_preview", args=[project.slug])
    data = {"name": "x", "html": html, "css": css, "page_size": "A4", "orientation": "landscape"}
    response = client.post(url, data)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content)).convert("RGB").getpixel((450, 318))


def test_uploads_go_to_a_folder_per_school_under_unguessable_names(project, school_b, b_file):
    a_file = upload(project, BLUE)
    media = Path(settings.MEDIA_ROOT)
    assert b_file.parent == media / "certificate-backgrounds" / str(school_b.id)
    assert a_file.parent == media / "certificate-backgrounds" / str(project.id)
    for path in (a_file, b_file):
        assert path.is_file()
        assert path.suffix == ".png"
        assert len(path.stem) >= 32  # 24 random bytes, url-safe
        assert "seal" not in path.name
    assert a_file.name != b_file.name


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("form", PATH_FORMS)
def test_another_school_upload_is_invisible_in_the_preview(
    client, alice, project, a_file, b_file, form, context
):
    client.force_login(alice)
    make_url = PATH_FORMS[form]
    html, css = CONTEXTS[context](make_url(b_file))
    assert preview_pixel(client, project, html, css) == WHITE
    # the control: the same form naming school A's own upload is drawn
    html, css = CONTEXTS[context](make_url(a_file))
    assert preview_pixel(client, project, html, css) == BLUE


@pytest.mark.parametrize("form", ["relative", "absolute-file-url"])
def test_a_symlink_in_the_school_folder_to_another_school_upload_is_refused(
    client, alice, project, a_file, b_file, form
):
    client.force_login(alice)
    link = a_file.parent / "borrowed.png"
    link.symlink_to(b_file)
    for make_context in CONTEXTS.values():
        html, css = make_context(PATH_FORMS[form](link))
        assert preview_pixel(client, project, html, css) == WHITE


def pdf_image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def issued_pdf(project, course, contact, alice, html, css) -> bytes:
    template = course.certificate.template
    template.html, template.css = html, css
    template_save(template=template)
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=alice, force=True)
    return certificate_pdf(certificate=certificate)


def every_form(path: Path) -> str:
    return "".join(f'<img src="{make(path)}" alt="">' for make in PATH_FORMS.values())


def test_another_school_upload_is_never_embedded_in_an_issued_pdf(
    project, course, contact, alice, a_file, b_file
):
    link = a_file.parent / "borrowed.png"
    link.symlink_to(b_file)
    html = every_form(b_file) + every_form(link)
    css = "".join(f'p {{ background: url("{make(b_file)}"); }}' for make in PATH_FORMS.values())
    pdf = issued_pdf(project, course, contact, alice, "<p>Hi</p>" + html, css)
    assert pdf_image_count(pdf) == 0


def test_the_school_own_upload_is_embedded_in_an_issued_pdf(
    project, course, contact, alice, a_file
):
    # the control of the test above: the same forms naming the school's own upload work
    pdf = issued_pdf(project, course, contact, alice, every_form(a_file), "")
    assert pdf_image_count(pdf) >= 1


def test_a_render_for_school_b_reads_b_upload(b_file, school_b):
    pdf = rendering.render_pdf(
        school_id=school_b.id,
        html=f'<img src="{b_file.as_uri()}" alt="">',
        css="",
        page_size="A4",
        orientation="landscape",
        values={},
    )
    assert pdf_image_count(pdf) == 1
    other = rendering.Sandbox.for_school(school_b.id + 1)
    assert rendering.allowed_file(b_file.as_uri(), sandbox=other) is None
