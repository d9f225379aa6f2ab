"""Rendering limits: source size, elements, pages, time and memory; refused with a message."""

import io
import os

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from certificates import defaults, rendering
from certificates.models import CertificateTemplate, TemplateRevision
from certificates.services import CertificateError, template_save
from tests.factories import TemplateFactory

# 14,000 pages from one paragraph: each line is as tall as a landscape A4 page.
FOURTEEN_THOUSAND_PAGES = '<p style="line-height: 210mm; margin: 0">' + "x " * 14_000 + "</p>"
# 1,900 table cells in one row lay out in about 5 s on our machine: slow, but not huge.
SLOW = "<table><tr>" + "<td>a</td>" * 1_900 + "</tr></table>"
DEEP = "<div>" * 1_500 + "x"


def render(html, css=""):
    return rendering.render_pdf(
        school_id=1,
        html=html,
        css=css,
        page_size="A4",
        orientation="landscape",
        values=defaults.SAMPLE_VALUES,
    )


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def new_template(project, **fields):
    return CertificateTemplate(project=project, name="Big", css="", **fields)


def test_a_14000_page_template_is_stopped_at_the_first_page_too_many(settings):
    settings.CERTIFICATE_RENDER_TIMEOUT = 120  # so that only the page limit can stop it
    with pytest.raises(rendering.RenderError, match="runs over 2 pages") as refused:
        render(FOURTEEN_THOUSAND_PAGES)
    # Stopped while making page 3, not after laying out 14,000 pages and counting them.
    assert refused.value.__cause__.args == (3,)


def test_the_page_limit_is_a_setting(settings):
    two_pages = '<p style="page-break-after: always">1</p><p>2</p>'
    assert page_count(render(two_pages)) == 2
    settings.CERTIFICATE_MAX_PAGES = 1
    with pytest.raises(rendering.RenderError, match="runs over 1 pages"):
        render(two_pages)


def test_a_14000_page_template_is_refused_at_save(project):
    with pytest.raises(CertificateError, match="runs over 2 pages"):
        template_save(template=new_template(project, html=FOURTEEN_THOUSAND_PAGES))
    assert not CertificateTemplate.objects.exists()


def test_14000_paragraphs_are_refused_before_any_render(project, monkeypatch):
    def no_render(**kwargs):
        raise AssertionError("rendered")

    monkeypatch.setattr(rendering, "render_pdf", no_render)
    template = new_template(project, html="<p>x" * 14_000)  # 56,000 characters
    template.css = "p { page-break-after: always; }"
    with pytest.raises(CertificateError, match="14000 elements; a certificate may have at most"):
        template_save(template=template)


def test_a_deeply_nested_template_is_refused_at_save(project):
    with pytest.raises(CertificateError, match="nested too deeply"):
        template_save(template=new_template(project, html=DEEP))
    assert not CertificateTemplate.objects.exists()


@pytest.mark.parametrize("part", ["html", "css"])
def test_a_2000000_character_source_is_refused_by_the_service(project, part):
    fields = {"html": "<p>x</p>", "css": ""}
    fields[part] = "x" * 2_000_000
    template = CertificateTemplate(project=project, name="Huge", **fields)
    with pytest.raises(CertificateError, match="2000000 characters long; the limit is 100000"):
        template_save(template=template)
    assert not CertificateTemplate.objects.exists()


@pytest.mark.parametrize("part", ["html", "css"])
def test_a_2000000_character_source_is_refused_by_the_form(client, alice, project, part):
    client.force_login(alice)
    template = TemplateFactory(project=project)
    data = {
        "name": "Huge",
        "html": template.html,
        "css": template.css,
        "page_size": "A4",
        "orientation": "landscape",
    }
    data[part] = "x" * 2_000_000
    url = reverse("staff:template_edit", args=[project.slug, template.public_id])
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[part] == [
        "Ensure this value has at most 100000 characters (it has 2000000)."
    ]
    assert 'maxlength="100000"' in response.content.decode()
    template.refresh_from_db()
    assert (template.version, template.name) == (1, "Classic")


def test_the_editor_shows_why_a_design_cannot_be_saved(client, alice, project):
    client.force_login(alice)
    template = TemplateFactory(project=project)
    url = reverse("staff:template_edit", args=[project.slug, template.public_id])
    data = {"name": "Long", "html": FOURTEEN_THOUSAND_PAGES, "css": "", "page_size": "A4"}
    response = client.post(url, {**data, "orientation": "landscape"})
    assert response.status_code == 200
    errors = response.context["form"].errors["html"]
    assert errors == [
        "The certificate runs over 2 pages; a certificate may have at most 2. Make the design fit."
    ]
    assert "Make the design fit." in response.content.decode()
    template.refresh_from_db()
    assert template.version == 1
    assert TemplateRevision.objects.filter(template=template).count() <= 1


def test_the_preview_says_why_it_cannot_draw(client, alice, project):
    client.force_login(alice)
    url = reverse("staff:template_preview", args=[project.slug])
    data = {"name": "x", "html": DEEP, "css": "", "page_size": "A4", "orientation": "portrait"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()


def test_the_time_limit_stops_a_render_and_the_caller_carries_on(settings):
    settings.CERTIFICATE_RENDER_TIMEOUT = 60
    render("<p>warm</p>")  # a child is ready, so the limit measures the render alone
    pool = rendering.renderer_pool()
    children = [worker.process.pid for worker in pool._idle]
    settings.CERTIFICATE_RENDER_TIMEOUT = 0.5
    with pytest.raises(rendering.RenderError, match=r"within 0\.5 seconds"):
        render(SLOW)
    # the child drawing it (the last one idle) was killed, not left to finish
    with pytest.raises(ProcessLookupError):
        os.kill(children[-1], 0)
    settings.CERTIFICATE_RENDER_TIMEOUT = 30
    assert page_count(render("<p>next</p>")) == 1  # this process and the pool carry on


def test_a_render_over_the_memory_cap_is_refused_and_the_caller_carries_on(settings):
    settings.CERTIFICATE_RENDER_MEMORY_MB = 350
    # An 8000 x 8000 picture decodes to 192 MB, more than what is left under the cap.
    upload = io.BytesIO()
    Image.new("RGB", (8000, 8000), (0, 200, 0)).save(upload, format="PNG")
    with pytest.raises(rendering.RenderError, match="needs more memory"):
        rendering.render_pdf(
            school_id=1,
            html="<p>x</p>",
            css="",
            page_size="A4",
            orientation="landscape",
            background=upload,
            values=defaults.SAMPLE_VALUES,
        )
    assert page_count(render("<p>next</p>")) == 1
