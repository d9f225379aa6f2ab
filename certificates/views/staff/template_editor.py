"""Certificate templates: list, editor, and a live picture of the PDF."""

import base64
import logging
import threading
import uuid

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import EDITOR_ROLES, project_object, staff_view
from certificates import defaults, rendering, selectors
from certificates.forms import TemplateForm, bootstrap
from certificates.models import CertificateTemplate
from certificates.services import CertificateError, template_save

logger = logging.getLogger(__name__)

STARTING_POINTS = {key: (html, css) for key, (_n, _o, html, css) in defaults.DESIGNS.items()}
# The gallery's pictures: drawn once per process with sample values, then served from here.
_design_pictures: dict[str, bytes] = {}
_design_pictures_lock = threading.Lock()
DESIGN_PICTURE_WIDTH = 480
PREVIEW_FIELDS = ("html", "css", "page_size", "orientation", "language", "background")


@staff_view
def template_list(request):
    return render(
        request,
        "staff/certificate_templates/list.html",
        {
            "section": "courses",
            "templates": selectors.template_list(project=request.project),
            "can_edit": request.membership.role in EDITOR_ROLES,
        },
    )


@staff_view(editor=True)
def template_new(request):
    template = CertificateTemplate(project=request.project)
    if request.method == "POST":
        form = TemplateForm(request.POST, request.FILES, instance=template)
        if form.is_valid() and (saved := _save(request, form)):
            return redirect("staff:template_edit", request.project.slug, saved.public_id)
    elif "start" not in request.GET:
        return _gallery(request)
    else:
        start = request.GET["start"]
        html, css = STARTING_POINTS.get(start, ("", ""))
        name, orientation = (defaults.DESIGNS[start][:2]) if html else ("", "landscape")
        form = TemplateForm(
            instance=template,
            initial={"name": name, "html": html, "css": css, "orientation": orientation},
        )
    return _editor(request, form, template=None)


def _gallery(request):
    """The "New template" page: the starter designs as cards, each with its picture."""
    return render(
        request,
        "staff/certificate_templates/gallery.html",
        {
            "section": "courses",
            "designs": [
                {"key": key, "name": name, "orientation": orientation}
                for key, (name, orientation, _html, _css) in defaults.DESIGNS.items()
            ],
        },
    )


@staff_view(editor=True)
def design_picture(request, design):
    """A starter design's first page as PNG, drawn with sample values once per process."""
    if design not in defaults.DESIGNS:
        raise Http404("No such design")
    with _design_pictures_lock:
        png = _design_pictures.get(design)
        if png is None:
            _name, orientation, html, css = defaults.DESIGNS[design]
            try:
                png = rendering.render_pdf(
                    school_id=request.project.id,
                    html=html,
                    css=css,
                    page_size="A4",
                    orientation=orientation,
                    values=defaults.SAMPLE_VALUES,
                    png_width=DESIGN_PICTURE_WIDTH,
                )
            except rendering.RenderError:
                logger.exception("Starter design %s could not be drawn", design)
                raise Http404("No picture") from None
            _design_pictures[design] = png
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@staff_view(editor=True)
def template_edit(request, template_id):
    template = project_object(CertificateTemplate.objects, request, public_id=template_id)
    form = TemplateForm(request.POST or None, request.FILES or None, instance=template)
    if request.method == "POST" and form.is_valid() and (saved := _save(request, form)):
        return redirect("staff:template_edit", request.project.slug, saved.public_id)
    return _editor(request, form, template=template)


def _save(request, form):
    before = form.instance.version if form.instance.pk else None
    try:
        saved = template_save(template=form.save(commit=False))
    except CertificateError as exc:
        form.add_error("html", str(exc))
        return None
    if before is None:
        messages.success(request, _("Template “%(name)s” created.") % {"name": saved.name})
    elif saved.version != before:
        messages.success(
            request,
            _("Template “%(name)s” saved as version %(version)d.")
            % {"name": saved.name, "version": saved.version},
        )
    else:
        messages.info(request, _("Saved; the design did not change, so the version stays."))
    return saved


def _editor(request, form, *, template):
    bootstrap(form)
    return render(
        request,
        "staff/certificate_templates/edit.html",
        {
            "section": "courses",
            "form": form,
            "template_obj": template,
            "placeholders": rendering.PLACEHOLDERS,
            # Custom fields are listed, not given a button each: ten buttons would bury the rest.
            "placeholder_buttons": {
                name: text
                for name, text in rendering.PLACEHOLDERS.items()
                if not name.startswith("custom_")
            },
            "conditions": rendering.CONDITIONS,
            "custom_example": "{{ custom_1_label }}",
            "custom_value_example": "{{ custom_1 }}",
            "block_example": "{{ if completed }} has completed {{ else }} has attended {{ end }}",
            "used_by": template.course_certificates.select_related("course") if template else [],
        },
    )


@require_POST
@staff_view(editor=True)
def template_preview(request):
    """The first page of the unsaved form, with sample data, as a PNG."""
    template = CertificateTemplate(project=request.project)
    if "template" in request.GET:
        try:
            template_id = uuid.UUID(request.GET["template"])
        except ValueError:
            raise Http404("No such template") from None
        template = project_object(CertificateTemplate.objects, request, public_id=template_id)
    form = TemplateForm(request.POST, request.FILES, instance=template)
    form.is_valid()
    errors = [e for name in PREVIEW_FIELDS for e in form.errors.get(name, [])]
    if errors:
        return preview_response(request, errors=errors)
    data = form.cleaned_data
    return preview_response(
        request,
        html=data["html"],
        css=data["css"],
        page_size=data["page_size"],
        orientation=data["orientation"],
        background=data["background"],
        values=sample_values(request.project, language=data["language"]),
    )


def sample_values(project, *, language: str = "", **overrides) -> dict:
    """Sample values to preview a design with, today's date in the language it prints in."""
    with translation.override(language or project.language):
        today = formats.date_format(timezone.localdate(timezone=project.tzinfo), "j E Y")
    return {**defaults.SAMPLE_VALUES, "school_name": project.name, "issue_date": today, **overrides}


def preview_response(request, *, errors=(), background=None, **render_args):
    """A PNG for a plain request; for htmx an <img> to swap in, or the reason there is none."""
    png = None
    if not errors:
        # Always the school of the page: a template reads only its own school's uploads.
        png, errors = _render_png(
            background=background, school_id=request.project.id, **render_args
        )
    if request.htmx:
        encoded = base64.b64encode(png).decode() if png else ""
        return render(
            request,
            "staff/certificate_templates/_preview.html",
            {"png_base64": encoded, "errors": errors},
        )
    if png:
        return HttpResponse(png, content_type="image/png")
    return render(
        request,
        "staff/certificate_templates/preview_error.html",
        {"section": "courses", "errors": errors},
        status=400,
    )


def _render_png(*, background, **render_args):
    if background and not isinstance(background, UploadedFile):
        background = background.name  # the saved template's own upload
    try:
        return rendering.render_pdf(background=background, png_width=900, **render_args), []
    except rendering.RenderError as exc:
        # Too big, too slow or broken: staff get the reason, not a 500.
        logger.info("Certificate preview refused: %s", exc)
        return None, [str(exc)]
