"""Snapshot + template revision -> PDF bytes.

Staff write the templates, so rendering is a sandbox: templates are not Django templates.
Only `{{ placeholder }}` substitution of whitelisted names, values HTML-escaped, and
WeasyPrint may fetch nothing but `data:` URIs, the files our app ships (static/) and the
uploads of the template's own school. Every render runs in a child process of the renderer
pool (render_pool.py) with a wall-clock limit, a memory cap and a page limit.
"""

import base64
import copy
import io
import logging
import mimetypes
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.text import strip_bidi_controls

from .render_pool import Pool, PoolTimeout, PoolWorkerDied

logger = logging.getLogger(__name__)


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages finds it by this name) without asking
    Django: the renderer's fork server imports this module before settings are configured."""
    return message


def _numbered_text(message: str, n: int) -> str:
    return _(message) % {"n": n}


# Translated when shown, in the language of whoever reads the list.
_numbered = lazy(_numbered_text, str)
CUSTOM_FIELDS = 5  # rows of label + value a course certificate may print
PLACEHOLDERS = {
    "participant_name": gettext_lazy("Participant's name, as it is to be printed"),
    "course_title": gettext_lazy("Course title"),
    "certificate_title": gettext_lazy("Certificate name"),
    "certificate_number": gettext_lazy("Certificate number"),
    "issue_date": gettext_lazy("Issue date"),
    "expiry_date": gettext_lazy("Expiry date (empty when the certificate never expires)"),
    "verification_url": gettext_lazy("Address of the public verification page"),
    "qr_code": gettext_lazy("QR code that opens the verification page (an image)"),
    "school_name": gettext_lazy("School name"),
    "completion_date": gettext_lazy(
        "Completion date: when the last lesson that counts was completed (empty if issued "
        "before completion)"
    ),
    "final_test_score": gettext_lazy(
        "Score of the course's last test, e.g. 92% (empty without a test or a score)"
    ),
    "course_hours": gettext_lazy("Course hours (empty when the course has none set)"),
    "signer_name": gettext_lazy("Signer's name"),
    "signer_title": gettext_lazy("Signer's title"),
    "signature_image": gettext_lazy("Signature (an image; nothing when none is uploaded)"),
    **{
        name: text
        for n in range(1, CUSTOM_FIELDS + 1)
        for name, text in (
            (f"custom_{n}_label", _numbered(gettext_noop("Custom field %(n)d: its label"), n)),
            (f"custom_{n}", _numbered(gettext_noop("Custom field %(n)d: its value"), n)),
        )
    },
}
# The conditions a template may test: `{{ if completed }} … {{ else }} … {{ end }}`.
CONDITIONS = {
    "completed": gettext_lazy("the conditions were met when the certificate was issued"),
    "forced": gettext_lazy("issued by staff before the conditions were met"),
    "has_expiry": gettext_lazy("the certificate has an expiry date"),
}
BLOCK_WORDS = frozenset({"else", "end"})
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# A block marker: `{{ if name }}`, `{{ else }}` or `{{ end }}` (the last two also match
# PLACEHOLDER_RE, and are told apart by their word).
BLOCK_RE = re.compile(r"\{\{\s*(?:if\s+([A-Za-z_][A-Za-z0-9_]*)|(else|end))\s*\}\}")
# Anything that looks like template syntax but is not a plain placeholder or a block marker is
# refused, so a template cannot reach tags, filters or attributes (`{{ x.y }}`, `{% include %}`).
SUSPICIOUS_RE = re.compile(r"\{%|\{#|\{\{(?!\s*(?:if\s+)?[A-Za-z_][A-Za-z0-9_]*\s*\}\})")
# Uploaded signatures are printed from a name like "certificate-backgrounds/12/<token>.png";
# anything else in a snapshot's signature_image prints nothing.
SIGNATURE_NAME_RE = re.compile(r"[a-z-]+/[0-9]+/[A-Za-z0-9_-]{16,64}\.(?:png|jpe?g)")

PAGE_SIZES = {"A4": "A4", "letter": "letter"}
# A template is a page, not a book: the cap on each of its HTML and CSS keeps a render cheap.
MAX_SOURCE_CHARS = 100_000
# Every element costs style and layout time (14,000 paragraphs take ~10 s before the first page
# is laid out) and nesting costs stack; a certificate needs a few dozen.
MAX_ELEMENTS = 2_000
START_TAG_RE = re.compile(r"<[A-Za-z]")
# Uploads of one school live in a folder of their own; a template may read no other.
BACKGROUNDS_FOLDER = "certificate-backgrounds"


class RenderError(Exception):
    """A certificate that cannot be drawn within the limits; the message is for the user."""


class TooManyPages(Exception):
    """Raised in the renderer child as soon as the layout makes one page too many."""


def school_folder(school_id: int) -> str:
    """The folder (under MEDIA_ROOT) of one school's uploads."""
    return f"{BACKGROUNDS_FOLDER}/{int(school_id)}"


def validate_template_size(*, html: str, css: str) -> list[str]:
    """What makes a template too big to render, as messages; cheap, so checked everywhere."""
    errors = [
        _("The %(part)s is %(length)d characters long; the limit is %(max)d.")
        % {"part": part, "length": len(text), "max": MAX_SOURCE_CHARS}
        for part, text in (("HTML", html), ("CSS", css))
        if len(text) > MAX_SOURCE_CHARS
    ]
    elements = len(START_TAG_RE.findall(html))
    if elements > MAX_ELEMENTS:
        errors.append(
            _("The HTML has %(count)d elements; a certificate may have at most %(max)d.")
            % {"count": elements, "max": MAX_ELEMENTS}
        )
    return errors


def validate_template_html(html: str) -> list[str]:
    errors = []
    if SUSPICIOUS_RE.search(html):
        errors.append(
            _(
                "Only plain placeholders such as {{ participant_name }} and the blocks "
                "{{ if completed }} … {{ else }} … {{ end }} are allowed; template tags, "
                "filters and attributes are not."
            )
        )
    errors += _block_errors(html)
    names = set(PLACEHOLDER_RE.findall(html)) - BLOCK_WORDS
    unknown = sorted(names - PLACEHOLDERS.keys())
    if unknown:
        errors.append(_("Unknown placeholders: %(names)s.") % {"names": ", ".join(unknown)})
    return errors


def _block_errors(html: str) -> list[str]:
    """What is wrong with the template's `if` blocks: one level, each closed by `end`."""
    errors = []
    open_if = None  # the condition of the block we are in
    seen_else = False
    for match in BLOCK_RE.finditer(html):
        condition, word = match.groups()
        if condition is not None:
            if condition not in CONDITIONS:
                errors.append(
                    _("Unknown condition “%(name)s”; use one of: %(names)s.")
                    % {"name": condition, "names": ", ".join(CONDITIONS)}
                )
            if open_if is not None:
                errors.append(
                    _(
                        "“{{ if %(name)s }}” starts inside another block; close the first one "
                        "with {{ end }} (blocks cannot be nested)."
                    )
                    % {"name": condition}
                )
                break
            open_if, seen_else = condition, False
        elif word == "else":
            if open_if is None:
                errors.append(_("{{ else }} without an {{ if … }} before it."))
                break
            if seen_else:
                errors.append(_("A block has two {{ else }}; it may have one."))
                break
            seen_else = True
        else:
            if open_if is None:
                errors.append(_("{{ end }} without an {{ if … }} before it."))
                break
            open_if = None
    else:
        if open_if is not None:
            errors.append(
                _("“{{ if %(name)s }}” is never closed; add {{ end }} after its text.")
                % {"name": open_if}
            )
    return errors


def condition_values(values: dict) -> dict[str, bool]:
    """The conditions of one certificate, from its snapshot.

    A snapshot from before conditions were recorded says through its progress whether the
    conditions were met.
    """
    completed = values.get("completed")
    if completed is None:
        completed = bool((values.get("progress") or {}).get("conditions_met", True))
    return {
        "completed": bool(completed),
        "forced": not completed,
        "has_expiry": bool(values.get("expiry_date")),
    }


def resolve_blocks(html: str, values: dict) -> str:
    """Keep the branch of each `if` block that holds for this certificate, drop the other.

    Expects a template that validate_template_html accepted; a stray marker is dropped.
    """
    conditions = condition_values(values)
    out, pos = [], 0
    keep = True  # outside a block everything is kept
    in_block = False
    for match in BLOCK_RE.finditer(html):
        if keep:
            out.append(html[pos : match.start()])
        pos = match.end()
        condition, word = match.groups()
        if condition is not None:
            in_block, keep = True, conditions.get(condition, False)
        elif word == "else" and in_block:
            keep = not keep
        else:
            in_block, keep = False, True
    if keep:
        out.append(html[pos:])
    return "".join(out)


def signature_img(name: str) -> str:
    """The uploaded signature as a `file:` image; the renderer's sandbox still checks it."""
    if not name or not SIGNATURE_NAME_RE.fullmatch(name):
        return ""
    url = (Path(settings.MEDIA_ROOT) / name).resolve().as_uri()
    return f'<img class="signature" alt="" src="{escape(url)}">'


def qr_code_img(url: str) -> str:
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<img class="qr-code" alt="QR" src="data:image/svg+xml;base64,{encoded}">'


def fill_placeholders(html: str, values: dict) -> str:
    """Keep the `if` blocks' branches that hold, then replace placeholders with escaped values.

    The QR code and the signature are the trusted snippets, both built here.

    Bidirectional controls are dropped from the values: a name must print in the order it
    was typed, not reversed by a right-to-left override hidden in it.
    """

    def replace(match):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            # Callers validate first; this keeps other snapshot keys off the page regardless.
            return escape(match.group(0))
        if name == "qr_code":
            return qr_code_img(values["verification_url"])
        if name == "signature_image":
            return signature_img(str(values.get(name) or ""))
        return escape(strip_bidi_controls(str(values.get(name) or "")))

    return PLACEHOLDER_RE.sub(replace, resolve_blocks(html, values))


def page_css(page_size: str, orientation: str, background_url: str | None) -> str:
    size = f"{PAGE_SIZES.get(page_size, 'A4')} {orientation}"
    css = f"@page {{ size: {size}; margin: 0; }}\nhtml, body {{ margin: 0; }}\n"
    if background_url:
        css += f'@page {{ background: url("{background_url}") no-repeat center / cover; }}\n'
    return css


# What a render may read -------------------------------------------------------------------


@dataclass(frozen=True)
class Sandbox:
    """The files one school's render may read. Plain paths, so it travels to the child."""

    school_id: int
    roots: tuple[str, ...]  # folders: our static files, the school's own uploads
    files: tuple[str, ...] = ()  # single files besides: the template's own background
    private: tuple[str, ...] = ()  # never, even when a root is set around them

    @classmethod
    def for_school(cls, school_id: int, *, background: str = "") -> "Sandbox":
        media = Path(settings.MEDIA_ROOT).resolve()
        roots = [media / school_folder(school_id)]
        roots += [Path(p).resolve() for p in settings.STATICFILES_DIRS]
        files = []
        if background:
            # The revision's own background, named by the server when it was uploaded. Usually
            # inside the school's folder already; a name from before per-school folders is
            # allowed as that one file, never as a folder.
            path = (media / background).resolve()
            if path.is_relative_to(media / BACKGROUNDS_FOLDER):
                files.append(path)
        return cls(
            school_id=school_id,
            roots=tuple(str(p) for p in roots),
            files=tuple(str(p) for p in files),
            private=(str(Path(settings.PRIVATE_MEDIA_ROOT).resolve()),),
        )


# What a certificate may pull in: pictures, stylesheets and fonts. Anything else (a text file,
# a PDF) is refused even inside our folders.
ALLOWED_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".css", ".woff", ".woff2", ".ttf", ".otf"}
)


def allowed_file(url: str, *, sandbox: Sandbox) -> Path | None:
    """The local file a `file:` URL names, if this school's certificate may read it; else None.

    The path is decoded once here and the decoded path is what gets opened, so a
    percent-encoded `..` cannot mean one thing to this check and another to urllib. Symlinks
    are resolved first: a link placed inside a school's folder is judged by where it points.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    if path.suffix.lower() not in ALLOWED_SUFFIXES or not path.is_file():
        return None
    if any(path.is_relative_to(private) for private in sandbox.private):
        return None  # issued PDFs stay private even if MEDIA_ROOT is set around them
    if str(path) in sandbox.files or any(path.is_relative_to(root) for root in sandbox.roots):
        return path
    return None


def static_base_url() -> str:
    # Relative URLs in a template (`img/seal.png`) resolve inside our static folder.
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


# In the renderer child ----------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """Everything a child needs to draw one certificate; it reads no Django settings."""

    html: str
    stylesheets: tuple[str, ...]
    base_url: str
    sandbox: Sandbox
    max_pages: int
    png_width: int | None = None  # a picture of the first page instead of the PDF
    metadata: dict | None = None  # title, author, subject, verification_url


_limits = {"max_pages": 2}  # of the job being drawn; a child draws one job at a time


@cache
def _weasyprint():
    # Imported lazily: pages that never print should not pay WeasyPrint's start-up (the
    # renderer's fork server imports it once for all children).
    import weasyprint
    import weasyprint.layout
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class RestrictedURLFetcher(URLFetcher):
        """Only `data:` URIs, our static files and the school's own uploads."""

        def __init__(self, *args, sandbox: Sandbox, **kwargs):
            super().__init__(*args, **kwargs)
            self.sandbox = sandbox

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = allowed_file(url, sandbox=self.sandbox)
            if path is not None:
                return super().fetch(path.as_uri(), headers)
            raise ValueError(f"Refused to fetch {url[:80]!r}: not a data URI or our own file")

    # Stop the layout at the first page past the limit instead of laying out 14,000 pages and
    # counting them afterwards. WeasyPrint has no option for it, so its page generator is
    # wrapped; if a new version renames it the count after layout and the time limit remain.
    make_all_pages = getattr(weasyprint.layout, "make_all_pages", None)
    if make_all_pages is not None:

        def limited_make_all_pages(*args, **kwargs):
            for number, page in enumerate(make_all_pages(*args, **kwargs), start=1):
                if number > _limits["max_pages"]:
                    raise TooManyPages(number)
                yield page

        weasyprint.layout.make_all_pages = limited_make_all_pages

    # WeasyPrint's font subsetting asks cffi for a C array type of each new length
    # (`hb_codepoint_t[57]`), and cffi parses every new type with pycparser, ~20 ms each:
    # a third of writing a certificate whose name needs other glyphs than the last one's.
    # The open array type sized by its initializer is the same array, parsed once. Only a
    # speed-up: a WeasyPrint that moved its `ffi` draws as it did, just slower.
    try:
        import weasyprint.pdf.fonts as fonts
    except ImportError:
        fonts = None
    if hasattr(fonts, "ffi") and not isinstance(fonts.ffi, _OpenArrays):
        fonts.ffi = _OpenArrays(fonts.ffi)

    # One font configuration per process: building it per render costs more than the render.
    return weasyprint, FontConfiguration(), RestrictedURLFetcher


SIZED_ARRAY_RE = re.compile(r"([\w ]+?)\[(\d+)\]")


class _OpenArrays:
    """cffi's FFI, but `new("T[n]", items)` with n items is asked as `new("T[]", items)`."""

    def __init__(self, ffi):
        self._ffi = ffi

    def __getattr__(self, name):
        return getattr(self._ffi, name)

    def new(self, cdecl, init=None):
        match = SIZED_ARRAY_RE.fullmatch(cdecl) if isinstance(cdecl, str) else None
        if match and isinstance(init, (list, tuple)) and len(init) == int(match[2]):
            cdecl = f"{match[1]}[]"
        return self._ffi.new(cdecl, init)


def url_fetcher(sandbox: Sandbox):
    """A restricted fetcher; one per render, because a fetcher keeps per-request state."""
    return _weasyprint()[2](
        sandbox=sandbox, fail_on_errors=False, allowed_protocols=("data", "file")
    )


_image_cache_store: dict = {}
# Only files are cached across renders (RenderImageCache); the cache is still dropped once it
# holds this many images, in case a school's templates name very many.
IMAGE_CACHE_ENTRIES = 256


def _image_cache() -> dict:
    global _image_cache_store
    if len(_image_cache_store) > IMAGE_CACHE_ENTRIES:
        _image_cache_store = {}
    return _image_cache_store


class RenderImageCache(dict):
    """The image cache of one render: files (a background, a seal) come from and go to the
    process's shared cache; everything else stays with this render and goes with it.

    Every certificate's QR code is a `data:` URI of its own (~0.55 MB once decoded and laid
    out), so caching them across renders only grows the process (measured: RSS 2.6x after
    500 renders); a data URI is never drawn twice anyway.
    """

    def __init__(self, shared: dict):
        super().__init__()
        self.shared = shared

    @staticmethod
    def _is_file(key) -> bool:
        return isinstance(key, str) and key[:5].lower() == "file:"

    def __contains__(self, key) -> bool:
        return super().__contains__(key) or (self._is_file(key) and key in self.shared)

    def __getitem__(self, key):
        if super().__contains__(key):
            return super().__getitem__(key)
        if self._is_file(key):
            return self.shared[key]
        raise KeyError(key)

    def __setitem__(self, key, value) -> None:
        if self._is_file(key):
            self.shared[key] = value
        else:
            super().__setitem__(key, value)


def warm_up() -> None:
    """Run once in each new renderer child, before its first job."""
    _weasyprint()


def _lay_out(job: Job, html: str, max_pages: int):
    """WeasyPrint's laid-out document of `html` with the job's stylesheets and sandbox."""
    weasyprint, font_config, _fetcher_class = _weasyprint()
    fetcher = url_fetcher(job.sandbox)
    _limits["max_pages"] = max_pages
    document = weasyprint.HTML(string=html, base_url=job.base_url, url_fetcher=fetcher)
    stylesheets = [
        weasyprint.CSS(
            string=sheet, font_config=font_config, url_fetcher=fetcher, base_url=job.base_url
        )
        for sheet in job.stylesheets
    ]
    rendered = document.render(
        font_config=font_config,
        stylesheets=stylesheets,
        cache=RenderImageCache(_image_cache()),
    )
    if len(rendered.pages) > max_pages:
        raise TooManyPages(len(rendered.pages))
    # A certificate carries no attachments: `<link rel="attachment">` and `<a rel="attachment">`
    # would embed files in the PDF. Both are dropped before writing, so they are never fetched.
    rendered.metadata.attachments = []
    for page in rendered.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    return rendered


def _write(rendered, job: Job) -> bytes:
    """The laid-out pages of one certificate as PDF/A-3b with its own metadata."""
    metadata = job.metadata
    if metadata:
        rendered.metadata.title = metadata.get("title") or rendered.metadata.title
        rendered.metadata.authors = [metadata["author"]] if metadata.get("author") else []
        rendered.metadata.description = metadata.get("subject") or None
        if metadata.get("verification_url"):
            rendered.metadata.keywords = [metadata["verification_url"]]
            rendered.metadata.custom = {"VerificationURL": metadata["verification_url"]}
    # PDF/A-3b: fonts embedded, colours defined, metadata in XMP: readable in decades.
    pdf = rendered.write_pdf(pdf_variant="pdf/a-3b", custom_metadata=True)
    if job.png_width:
        return pdf_first_page_png(pdf, width=job.png_width)
    return pdf


def draw(job: Job) -> bytes:
    """Lay out and write one certificate. Runs in a renderer child, one job at a time."""
    return _write(_lay_out(job, job.html, job.max_pages), job)


class BatchDoesNotSplit(Exception):
    """A body of the batch would not print as it does on its own; the batch is drawn again
    one certificate at a time."""


def _alone(page, marker_id: str) -> bool:
    """Whether the marker ends its page, its body pushed to the next one.

    That happens to a body whose first box is taller than the page: on its own it starts at
    the top of page 1 and overflows it, after a marker it goes to a page of its own. Read
    from WeasyPrint's page box (not public API: if it changes, the AttributeError makes the
    batch fall back to drawing one at a time).
    """
    for root in page._page_box.children:
        for body in root.children:
            ids = [getattr(box, "element", None) for box in body.children]
            ids = [element.get("id") if element is not None else None for element in ids]
            if marker_id in ids:
                return ids.index(marker_id) == len(ids) - 1
    raise BatchDoesNotSplit(marker_id)


def draw_batch(jobs: tuple[Job, ...]) -> list[bytes]:
    """Lay out many certificates of one design as one document, then write each on its own.

    One layout of N bodies costs less than N layouts (the HTML and CSS parsed, the cascade
    and the fonts set up once: about two thirds to four fifths of the time, measured on the
    default designs). Each body starts on a page of its own after a marker whose id tells
    which pages are whose; each certificate is then written from a copy of its own pages
    with its own metadata, as draw() writes one. The jobs share stylesheets, base URL,
    sandbox and page limit (batch_key) and are batchable (nothing in them can tell the bodies
    apart or reach from one into the next). Raises TooManyPages if one body runs over the
    page limit, BatchDoesNotSplit if one would start a page later than on its own; the caller
    then draws them one by one, so only a certificate at fault fails.
    """
    first = jobs[0]
    token = secrets.token_hex(6)  # ids no template can name in advance
    html = "".join(
        f'<div id="{BATCH_MARKER}{token}-{n}" style="{BATCH_MARKER_STYLE}"></div>{job.html}'
        for n, job in enumerate(jobs)
    )
    rendered = _lay_out(first, html, first.max_pages * len(jobs))
    starts = {}
    for index, page in enumerate(rendered.pages):
        for anchor in page.anchors:
            prefix, _, number = anchor.rpartition("-")
            if prefix == f"{BATCH_MARKER}{token}":
                starts.setdefault(int(number), index)
    bounds = [starts.get(n) for n in range(len(jobs))] + [len(rendered.pages)]
    pdfs = []
    for n, job in enumerate(jobs):
        start, end = bounds[n], bounds[n + 1]
        if start is None or end is None or not 0 < end - start <= job.max_pages:
            raise TooManyPages(n)
        if _alone(rendered.pages[start], f"{BATCH_MARKER}{token}-{n}"):
            raise BatchDoesNotSplit(n)
        own = rendered.copy(rendered.pages[start:end])
        own.metadata = copy.copy(rendered.metadata)  # each certificate says its own
        pdfs.append(_write(own, job))
    return pdfs


# Batches: what may share a document --------------------------------------------------------

BATCH_MARKER = "lms-batch-"
# The marker is styled inline, which beats the staff's CSS (short of !important, refused below).
BATCH_MARKER_STYLE = (
    "display: block; break-before: page; height: 0; margin: 0; padding: 0; border: 0"
)
# What would print differently when bodies follow one another in one document: page counters,
# running or fixed elements, left/right/first pages, selectors that count siblings or reach
# across a body's end, a whole document in the HTML, links inside the page, !important, and
# stylesheets from files (not checked here).
BATCH_UNSAFE_RE = re.compile(
    r"counters?\s*\(|running\s*\(|element\s*\(|string-set|string\s*\(|position\s*:\s*fixed"
    r"|@import|<\s*link\b"
    r"|:(?:first|last|only|nth)(?:-|\b)|:left\b|:right\b|:blank\b|-of-type|!\s*important"
    r"|::?(?:before|after)|<\s*/?\s*(?:html|head|body)\b|href\s*=\s*[\"']?\s*#",
    re.IGNORECASE,
)
PARENTHESES_RE = re.compile(r"\([^()]*\)")
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)


class _Balance(HTMLParser):
    """Whether every element the HTML opens it also closes, in order (no end tag implied)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.balanced = True

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        if not self.open or self.open.pop() != tag:
            self.balanced = False


def batchable(job: Job) -> bool:
    """Whether the certificate prints the same laid out after other bodies as on its own.

    Conservative: a body whose elements are not all closed could swallow the next one, and
    the constructs BATCH_UNSAFE_RE names depend on what else is in the document; such
    certificates are drawn one by one, as before.
    """
    if job.png_width or any(BATCH_UNSAFE_RE.search(text) for text in (job.html, *job.stylesheets)):
        return False
    # Sibling combinators could match from one body's last element to the next body's first.
    if any("+" in PARENTHESES_RE.sub("", css) or "~" in css for css in job.stylesheets):
        return False
    check = _Balance()
    check.feed(job.html)
    check.close()
    return check.balanced and not check.open


def batch_key(job: Job) -> tuple:
    """Jobs with the same key may share one document (the same design and sandbox)."""
    return (job.stylesheets, job.base_url, job.sandbox, job.max_pages)


def pdf_first_page_png(pdf: bytes, *, width: int = 900) -> bytes:
    """A picture of the first page, for previews in the browser."""
    import pypdfium2  # heavy and optional: only previews need it

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


# In the caller's process --------------------------------------------------------------------


_pools: dict[tuple[int, int], Pool] = {}
_pools_lock = threading.Lock()


def renderer_pool() -> Pool:
    """This process's pool, made on first use (by one thread, however many ask at once)."""
    key = (settings.CERTIFICATE_RENDER_WORKERS, settings.CERTIFICATE_RENDER_MEMORY_MB)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = Pool(
                size=key[0],
                memory_mb=key[1],
                max_tasks=settings.CERTIFICATE_RENDER_TASKS_PER_WORKER,
                preload=("weasyprint", "pypdfium2", "certificates.rendering"),
                initializer=warm_up,
            )
        return _pools[key]


def _background_url(background) -> str | None:
    """A stored upload's `file:` URL, or a `data:` URI of an upload not saved yet."""
    if not background:
        return None
    if isinstance(background, str):
        return (Path(settings.MEDIA_ROOT) / background).resolve().as_uri()
    background.seek(0)
    encoded = base64.b64encode(background.read()).decode()
    mime = (
        getattr(background, "content_type", None)
        or mimetypes.guess_type(getattr(background, "name", "") or "")[0]
    )
    return f"data:{mime or 'image/png'};base64,{encoded}"


def render_job(
    *,
    school_id: int,
    html: str,
    css: str,
    page_size: str,
    orientation: str,
    background="",
    values: dict,
    png_width: int | None = None,
    metadata: dict | None = None,
) -> Job:
    """What the child draws; raises RenderError at once for a template too big to render.

    `background` is a stored upload's name, or an unsaved upload (a file) for previews.
    """
    # Checked again here (the form and template_save check first): a revision saved before
    # the limits is refused at once instead of occupying a renderer until the time limit.
    errors = validate_template_size(html=html, css=css or "")
    if errors:
        raise RenderError(" ".join(errors))
    return Job(
        html=fill_placeholders(html, values),
        # Two stylesheets, so an `@import` at the top of the staff's CSS stays valid; theirs
        # comes second and may override the page set-up.
        stylesheets=(page_css(page_size, orientation, _background_url(background)), css or ""),
        base_url=static_base_url(),
        sandbox=Sandbox.for_school(
            school_id, background=background if isinstance(background, str) else ""
        ),
        max_pages=settings.CERTIFICATE_MAX_PAGES,
        png_width=png_width,
        metadata=metadata,
    )


def render_pdf(**kwargs) -> bytes:
    """The certificate as PDF/A-3b (or its first page as PNG), drawn in a renderer child.

    Takes render_job's arguments; raises RenderError, whose message is for the user.
    """
    return _run(draw, render_job(**kwargs))


def _run(func, job, *, jobs: int = 1):
    """`func(job)` in a renderer child; every failure becomes a RenderError for the user.

    A batch of `jobs` certificates gets the single limit plus a tenth of it per certificate:
    one takes well under a second, and the limit allows for a slow or busy machine.
    """
    timeout = settings.CERTIFICATE_RENDER_TIMEOUT
    if jobs > 1:
        timeout += timeout * jobs / 10
    max_pages = (job[0] if jobs > 1 else job).max_pages
    try:
        return renderer_pool().run(func, job, timeout=timeout)
    except PoolTimeout as exc:
        raise RenderError(
            _("The certificate could not be drawn within %(seconds)s seconds.")
            % {"seconds": f"{timeout:g}"}
        ) from exc
    except PoolWorkerDied as exc:
        raise RenderError(
            _("The certificate needs more memory to draw than a certificate may use.")
        ) from exc
    except TooManyPages as exc:
        raise RenderError(
            _(
                "The certificate runs over %(max)d pages; a certificate may have at most "
                "%(max)d. Make the design fit."
            )
            % {"max": max_pages}
        ) from exc
    except RecursionError as exc:
        raise RenderError(
            _("The template is nested too deeply to draw. Simplify the HTML.")
        ) from exc
    except Exception as exc:
        # WeasyPrint can fail on odd input in many ways; the user gets a message, not a 500.
        raise RenderError(
            _("The certificate could not be drawn. Check the HTML and CSS for errors.")
        ) from exc


# Certificates in one batch document: enough to share the document's set-up, few enough that
# a bulk job's chunk (bulk.CHUNK_SIZE) still splits over the children and that a batch which
# fails costs little to draw again one by one.
BATCH_SIZE = 12


def render_many(jobs: list[Job]):
    """Draw many certificates at once, across every child of the renderer pool.

    Yields (index in `jobs`, PDF bytes or the RenderError of that certificate) as each batch
    is done, so the caller signs and stores some while the children draw the rest. Jobs that
    can share a document (batch_key, batchable) are drawn in batches of at most BATCH_SIZE,
    spread evenly over the children; a batch that fails for any reason (one certificate too
    long, a child that died) is drawn again one certificate at a time, so one bad
    certificate fails only itself. The others are drawn one at a time from the start.
    """
    groups: dict[tuple, list[int]] = {}
    singles = []
    for index, job in enumerate(jobs):
        if batchable(job):
            groups.setdefault(batch_key(job), []).append(index)
        else:
            singles.append([index])
    workers = renderer_pool().size
    batches = []
    for indexes in groups.values():
        count = max(-(-len(indexes) // BATCH_SIZE), min(workers, len(indexes) // 2), 1)
        size = -(-len(indexes) // count)
        batches += [indexes[i : i + size] for i in range(0, len(indexes), size)]
    batches += singles

    def drawn(indexes: list[int]) -> list[tuple[int, object]]:
        if len(indexes) > 1:
            try:
                pdfs = _run(draw_batch, tuple(jobs[i] for i in indexes), jobs=len(indexes))
                return list(zip(indexes, pdfs, strict=True))
            except RenderError:
                pass  # drawn one by one below: only the certificate at fault fails
        results = []
        for index in indexes:
            try:
                results.append((index, _run(draw, jobs[index])))
            except RenderError as error:
                logger.warning("Certificate %s of a batch not drawn: %s", index, error)
                results.append((index, error))
        return results

    # Threads only wait on the children's pipes (Pool.run is thread-safe); the work is theirs.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="render-many") as threads:
        for future in as_completed([threads.submit(drawn, batch) for batch in batches]):
            yield from future.result()


def certificate_job(certificate) -> Job:
    """What the child draws for an issued certificate: its revision and frozen snapshot."""
    revision = certificate.template_revision
    return render_job(
        school_id=certificate.project_id,
        html=revision.html,
        css=revision.css,
        page_size=revision.page_size,
        orientation=revision.orientation,
        background=revision.background,
        values=certificate.snapshot,
        metadata=certificate_metadata(certificate.snapshot),
    )


def render_certificate(certificate) -> bytes:
    return _run(draw, certificate_job(certificate))


def certificate_metadata(snapshot: dict) -> dict:
    """What a certificate's PDF says about itself in its metadata (title, author, subject)."""
    # Without bidirectional controls, like the printed values: a viewer shows these too.
    value = {key: strip_bidi_controls(str(snapshot.get(key) or "")) for key in PLACEHOLDERS}
    return {
        "title": " ".join(
            part for part in (value["certificate_title"], value["certificate_number"]) if part
        ),
        "author": value["school_name"],
        # Language-neutral, so a worker's active language never changes a signed file.
        "subject": " — ".join(
            part
            for part in (
                value["participant_name"],
                value["course_title"],
                value["verification_url"],
            )
            if part
        ),
        "verification_url": value["verification_url"],
    }
