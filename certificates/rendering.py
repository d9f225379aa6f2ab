"""Snapshot + template revision -> PDF bytes.

Staff write the templates, so rendering is a sandbox: templates are not Django templates.
Only `{{ placeholder }}` substitution of whitelisted names, values HTML-escaped, and
WeasyPrint may fetch nothing but `data:` URIs and files under our static and media folders.
"""

import base64
import io
import re
import threading
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "participant_name": _("Participant's name, as it is to be printed"),
    "course_title": _("Course title"),
    "certificate_title": _("Certificate name"),
    "certificate_number": _("Certificate number"),
    "issue_date": _("Issue date"),
    "verification_url": _("Address of the public verification page"),
    "qr_code": _("QR code that opens the verification page (an image)"),
    "school_name": _("School name"),
}
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Anything that looks like template syntax but is not a plain placeholder is refused, so a
# template cannot reach tags, filters or attributes (`{{ x.y }}`, `{% include %}`).
SUSPICIOUS_RE = re.compile(r"\{%|\{#|\{\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})")

PAGE_SIZES = {"A4": "A4", "letter": "letter"}


def validate_template_html(html: str) -> list[str]:
    errors = []
    if SUSPICIOUS_RE.search(html):
        errors.append(
            str(
                _(
                    "Only plain placeholders such as {{ participant_name }} are allowed; "
                    "template tags, filters and attributes are not."
                )
            )
        )
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(html)} - PLACEHOLDERS.keys())
    if unknown:
        errors.append(str(_("Unknown placeholders: %(names)s.")) % {"names": ", ".join(unknown)})
    return errors


def qr_code_img(url: str) -> str:
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<img class="qr-code" alt="QR" src="data:image/svg+xml;base64,{encoded}">'


def fill_placeholders(html: str, values: dict) -> str:
    """Replace placeholders with escaped values; the QR code is the one trusted snippet."""

    def replace(match):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            # Callers validate first; this keeps other snapshot keys off the page regardless.
            return escape(match.group(0))
        if name == "qr_code":
            return qr_code_img(values["verification_url"])
        return escape(values.get(name, ""))

    return PLACEHOLDER_RE.sub(replace, html)


def page_css(page_size: str, orientation: str, background_url: str | None) -> str:
    size = f"{PAGE_SIZES.get(page_size, 'A4')} {orientation}"
    css = f"@page {{ size: {size}; margin: 0; }}\nhtml, body {{ margin: 0; }}\n"
    if background_url:
        css += f'@page {{ background: url("{background_url}") no-repeat center / cover; }}\n'
    return css


def allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT).resolve()]
    roots += [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    return roots


# What a certificate may pull in: pictures, stylesheets and fonts. Anything else (a text file
# attached with <a rel="attachment">, a PDF) is refused even inside our folders.
ALLOWED_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".css", ".woff", ".woff2", ".ttf", ".otf"}
)


def allowed_file(url: str) -> Path | None:
    """The local file a `file:` URL names, if a certificate may read it; else None.

    The path is decoded once here and the decoded path is what gets opened, so a
    percent-encoded `..` cannot mean one thing to this check and another to urllib.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    if path.suffix.lower() not in ALLOWED_SUFFIXES or not path.is_file():
        return None
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    if path.is_relative_to(private):
        return None  # issued PDFs stay private even if MEDIA_ROOT is set around them
    if not any(path.is_relative_to(root) for root in allowed_roots()):
        return None
    return path


@cache
def _weasyprint():
    # Imported lazily: pages that never print should not pay WeasyPrint's start-up.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class RestrictedURLFetcher(URLFetcher):
        """Only `data:` URIs and files inside our own static and media folders."""

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = allowed_file(url)
            if path is not None:
                return super().fetch(path.as_uri(), headers)
            raise ValueError(f"Refused to fetch {url[:80]!r}: not a data URI or our own file")

    # One font configuration per process: building it per render costs more than the render.
    return weasyprint, FontConfiguration(), RestrictedURLFetcher


_local = threading.local()
# Every certificate's QR code is a data URI of its own, so the image cache would grow with each
# render; it is dropped once it holds this many images (backgrounds are cached again at once).
IMAGE_CACHE_ENTRIES = 256


def url_fetcher():
    """A restricted fetcher; one per render, because a fetcher keeps per-request state."""
    return _weasyprint()[2](fail_on_errors=False, allowed_protocols=("data", "file"))


def _image_cache() -> dict:
    # Per thread, because WeasyPrint reads cached images back while writing the PDF: a cache
    # cleared by another thread mid-render would lose them.
    cache = getattr(_local, "image_cache", None)
    if cache is None or len(cache) > IMAGE_CACHE_ENTRIES:
        cache = _local.image_cache = {}
    return cache


def render_pdf(
    *,
    html: str,
    css: str,
    page_size: str,
    orientation: str,
    background: str = "",
    values: dict,
    metadata: dict | None = None,
) -> bytes:
    """A PDF/A-3b document; `metadata` (title, author, subject, verification_url) goes into
    its document information and XMP metadata."""
    weasyprint, font_config, _fetcher_class = _weasyprint()
    fetcher = url_fetcher()
    background_url = None
    if background:
        background_url = (Path(settings.MEDIA_ROOT) / background).resolve().as_uri()
    document = weasyprint.HTML(
        string=fill_placeholders(html, values),
        base_url=static_base_url(),
        url_fetcher=fetcher,
    )
    # Two stylesheets, so an `@import` at the top of the staff's CSS stays valid; theirs comes
    # second and may override the page set-up.
    stylesheets = [
        weasyprint.CSS(
            string=sheet, font_config=font_config, url_fetcher=fetcher, base_url=static_base_url()
        )
        for sheet in (page_css(page_size, orientation, background_url), css or "")
    ]
    rendered = document.render(
        stylesheets=stylesheets, font_config=font_config, cache=_image_cache()
    )
    if metadata:
        rendered.metadata.title = metadata.get("title") or rendered.metadata.title
        rendered.metadata.authors = [metadata["author"]] if metadata.get("author") else []
        rendered.metadata.description = metadata.get("subject") or None
        if metadata.get("verification_url"):
            rendered.metadata.keywords = [metadata["verification_url"]]
            rendered.metadata.custom = {"VerificationURL": metadata["verification_url"]}
    # PDF/A-3b: fonts embedded, colours defined, metadata in XMP: readable in decades.
    return rendered.write_pdf(pdf_variant="pdf/a-3b", custom_metadata=True)


def static_base_url() -> str:
    # Relative URLs in a template (`img/seal.png`) resolve inside our static folder.
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


def render_certificate(certificate) -> bytes:
    revision = certificate.template_revision
    return render_pdf(
        html=revision.html,
        css=revision.css,
        page_size=revision.page_size,
        orientation=revision.orientation,
        background=revision.background,
        values=certificate.snapshot,
        metadata=certificate_metadata(certificate.snapshot),
    )


def certificate_metadata(snapshot: dict) -> dict:
    """What a certificate's PDF says about itself in its metadata (title, author, subject)."""
    return {
        "title": " ".join(
            part
            for part in (snapshot.get("certificate_title", ""), snapshot.get("certificate_number"))
            if part
        ),
        "author": snapshot.get("school_name", ""),
        # Language-neutral, so a worker's active language never changes a signed file.
        "subject": " — ".join(
            value
            for value in (
                snapshot.get("participant_name", ""),
                snapshot.get("course_title", ""),
                snapshot.get("verification_url", ""),
            )
            if value
        ),
        "verification_url": snapshot.get("verification_url", ""),
    }


def pdf_first_page_png(pdf: bytes, *, width: int = 900) -> bytes:
    """A picture of the first page, for previews in the browser."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / page.get_width()
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()
