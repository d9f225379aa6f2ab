"""Staff write certificate templates: rendering must not reach files, the network or settings."""

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from PIL import Image
from pypdf import PdfReader

from certificates import defaults, rendering
from tests.helpers import pdf_text

SECRET = "s3cr3t-key-that-must-never-print"
SCHOOL = 7  # the school whose template is rendered; its uploads are in `ours`


def render(html, css="", background=""):
    return rendering.render_pdf(
        school_id=SCHOOL,
        html=html,
        css=css,
        page_size="A4",
        orientation="landscape",
        background=background,
        values=defaults.SAMPLE_VALUES,
    )


def pdf_image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_attachments(pdf: bytes) -> dict:
    return PdfReader(io.BytesIO(pdf)).attachments


def write_png(path, color=(10, 200, 10)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (20, 20), color).save(path, format="PNG")
    return path


def leaking_css(path):
    """A stylesheet that prints a marker if it is ever loaded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('body::before { content: "LEAKED-FROM-FILE"; }')
    return path


@pytest.fixture
def outside(tmp_path):
    """A folder that is neither static nor media."""
    return tmp_path / "outside"


@pytest.fixture
def media(settings):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    return settings.MEDIA_ROOT


@pytest.fixture
def ours(media):
    """The uploads folder of the school being rendered."""
    folder = media / rendering.school_folder(SCHOOL)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sandbox():
    return rendering.Sandbox.for_school(SCHOOL)


@pytest.fixture
def http_server():
    """A local server that records any request and would serve a leaking stylesheet."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b'body::before { content: "LEAKED-FROM-NETWORK"; }'
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()


# Refused before rendering ---------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "{% include 'staff/base.html' %}",
        "{% load static %}{% static 'x' %}",
        "{{ settings.SECRET_KEY }}",
        "{{ participant_name.__class__ }}",
        "{{ participant_name.__class__.__mro__ }}",
        "{{ participant_name|safe }}",
        "{# comment #}",
        "{{ SECRET_KEY }}",
        "{{ progress }}",
    ],
)
def test_template_syntax_beyond_placeholders_is_refused(html):
    assert rendering.validate_template_html(f"<p>{html}</p>")


def test_plain_placeholders_are_accepted():
    assert rendering.validate_template_html(defaults.CLASSIC_HTML) == []
    assert rendering.validate_template_html("<p>{{participant_name}} {{ qr_code }}</p>") == []


# Even unvalidated, rendering substitutes nothing else -------------------------------------


def test_rendering_unvalidated_template_syntax_prints_no_secret(settings):
    settings.SECRET_KEY = SECRET
    html = (
        "<p>{% include 'staff/base.html' %}</p><p>{{ settings.SECRET_KEY }}</p>"
        "<p>{{ participant_name.__class__ }}</p><p>{% debug %}</p><p>[{{ SECRET_KEY }}]</p>"
        "<p>{{ participant_name }}</p>"
    )
    text = pdf_text(render(html))
    assert SECRET not in text
    assert "Олена Коваленко" in text  # the whitelisted placeholder still works
    assert "class" not in text.replace("{{ participant_name.__class__ }}", "")
    assert "<!doctype" not in text.lower()  # the include was not performed


def test_only_whitelisted_values_are_substituted():
    values = {**defaults.SAMPLE_VALUES, "progress": {"secret": "PROGRESS-DATA"}}
    pdf = rendering.render_pdf(
        school_id=SCHOOL,
        html="<p>{{ progress }}</p><p>{{ school_name }}</p>",
        css="",
        page_size="A4",
        orientation="portrait",
        values=values,
    )
    text = pdf_text(pdf)
    assert "PROGRESS-DATA" not in text
    assert "Demo School" in text


def test_values_are_escaped():
    values = {**defaults.SAMPLE_VALUES, "participant_name": '<img src="file:///etc/passwd">X'}
    pdf = rendering.render_pdf(
        school_id=SCHOOL,
        html="<p>{{ participant_name }}</p>",
        css="",
        page_size="A4",
        orientation="portrait",
        values=values,
    )
    assert '<img src="file:///etc/passwd">X' in pdf_text(pdf)


# No file access outside our folders -------------------------------------------------------


def test_file_urls_outside_our_folders_are_not_fetched(outside, media, ours):
    secret_png = write_png(outside / "secret.png")
    assert pdf_image_count(render(f'<img src="{secret_png.as_uri()}">')) == 0
    assert pdf_image_count(render('<img src="file:///etc/passwd">')) == 0
    # MEDIA_ROOT outside the school's folder is not ours either
    loose = write_png(media / "certificate-backgrounds" / "loose.png")
    assert pdf_image_count(render(f'<img src="{loose.as_uri()}">')) == 0
    # the control: the same picture inside the school's folder is drawn
    png = write_png(ours / "ours.png")
    assert pdf_image_count(render(f'<img src="{png.as_uri()}">')) == 1


def test_css_import_of_a_file_outside_is_refused(outside, ours):
    evil = leaking_css(outside / "evil.css")
    css = f"@import url({evil.as_uri()});\n@import url(file:///etc/hostname);"
    assert "LEAKED" not in pdf_text(render("<p>Hi</p>", css=css))
    html = (
        f'<link rel="stylesheet" href="{evil.as_uri()}">'
        f"<style>@import url({evil.as_uri()}); @import url(file:///etc/hostname);</style>"
    )
    assert "LEAKED" not in pdf_text(render(html + "<p>Hi</p>"))
    # the control: the same stylesheet in the school's folder is applied, so the checks above
    # can fail
    own = leaking_css(ours / "ours.css")
    assert "LEAKED-FROM-FILE" in pdf_text(render(f"<style>@import url({own.as_uri()});</style>"))
    assert "LEAKED-FROM-FILE" in pdf_text(render(f'<link rel="stylesheet" href="{own.as_uri()}">'))


@pytest.mark.parametrize(
    "make_url",
    [
        # percent-encoded and plain ".." out of MEDIA_ROOT
        lambda media, outside: media.as_uri() + "/%2e%2e/outside/secret.png",
        lambda media, outside: media.as_uri() + "/../outside/secret.png",
        lambda media, outside: "file://localhost" + str(outside / "secret.png"),
        lambda media, outside: "FILE://" + str(outside / "secret.png"),
        lambda media, outside: "file:" + str(outside / "secret.png"),
    ],
)
def test_tricky_file_urls_are_refused(media, outside, make_url):
    write_png(outside / "secret.png")
    url = make_url(media, outside)
    assert pdf_image_count(render(f'<img src="{url}">')) == 0
    assert rendering.allowed_file(url, sandbox=sandbox()) is None


def test_a_symlink_in_the_school_folder_to_a_file_outside_is_refused(ours, outside):
    secret = write_png(outside / "secret.png")
    link = ours / "link.png"
    link.symlink_to(secret)
    assert pdf_image_count(render(f'<img src="{link.as_uri()}">')) == 0


def file_attachment_annotations(pdf: bytes) -> list:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        annot.get_object()["/Subtype"]
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if annot.get_object()["/Subtype"] == "/FileAttachment"
    ]


def test_attachments_cannot_embed_files(ours, outside):
    outside_png = write_png(outside / "notes.png")
    notes = ours / "notes.txt"
    notes.write_text("private notes")
    own_png = write_png(ours / "ours.png")
    for url in ("file:///etc/passwd", outside_png.as_uri(), notes.as_uri(), own_png.as_uri()):
        html = f'<link rel="attachment" href="{url}"><a rel="attachment" href="{url}">x</a>'
        pdf = render(html)
        assert pdf_attachments(pdf) == {}, url
        assert file_attachment_annotations(pdf) == [], url
    # the control: the school's own picture is readable, it is the attaching that is refused
    assert pdf_image_count(render(f'<img src="{own_png.as_uri()}">')) == 1


def test_issued_pdfs_stay_private_even_under_media(settings, ours):
    # A misconfiguration that puts private files inside a readable folder must not expose them.
    settings.PRIVATE_MEDIA_ROOT = ours / "private"
    inside_private = write_png(ours / "private" / "certificates" / "x.png")
    assert rendering.allowed_file(inside_private.as_uri(), sandbox=sandbox()) is None
    # the control: beside it, in the school's folder, the same picture is allowed
    beside = write_png(ours / "x.png")
    assert rendering.allowed_file(beside.as_uri(), sandbox=sandbox()) == beside.resolve()


# No network -------------------------------------------------------------------------------


def test_no_network_access(http_server):
    base, requests = http_server
    html = (
        f'<link rel="stylesheet" href="{base}/link.css">'
        f'<img src="{base}/img.png"><p>{{{{ participant_name }}}}</p>'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
    )
    css = f"@import url({base}/import.css); body {{ background: url({base}/bg.png); }}"
    text = pdf_text(render(html, css=css))
    assert "Олена" in text  # the page itself still renders
    assert "LEAKED" not in text
    assert requests == []


# Our own files do render ------------------------------------------------------------------


def test_an_uploaded_background_in_the_school_folder_renders(ours):
    background = write_png(ours / "bg.png", color=(0, 0, 255))
    pdf = render("<p></p>", background=f"{rendering.school_folder(SCHOOL)}/bg.png")
    assert pdf_image_count(pdf) == 1
    png = rendering.pdf_first_page_png(pdf, width=300)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.getpixel((150, 100)) == (0, 0, 255)
    assert background.is_file()


def test_a_background_from_before_school_folders_still_renders(media):
    # Named by the server at upload, in the shared folder of old: allowed as that one file.
    write_png(media / "certificate-backgrounds" / "фон лого.png", color=(255, 0, 0))
    pdf = render("<p></p>", background="certificate-backgrounds/фон лого.png")
    image = Image.open(io.BytesIO(rendering.pdf_first_page_png(pdf, width=300))).convert("RGB")
    assert image.getpixel((150, 100)) == (255, 0, 0)


def test_data_uris_render():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (1, 2, 3)).save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    assert pdf_image_count(render(f'<img src="{uri}">')) == 1
