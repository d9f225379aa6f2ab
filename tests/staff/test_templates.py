import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Membership
from certificates import defaults
from certificates.models import CertificateTemplate, TemplateRevision
from certificates.rendering import RenderError
from tests.factories import MembershipFactory, TemplateFactory, course_with_certificate
from tests.helpers import page_queries

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def template(project):
    return TemplateFactory(project=project, name="Classic")


def edit_url(template):
    return reverse("staff:template_edit", args=[template.project.slug, template.public_id])


def form_data(template=None, **overrides):
    data = {
        "name": template.name if template else "Mine",
        "html": template.html if template else defaults.MODERN_HTML,
        "css": template.css if template else defaults.MODERN_CSS,
        "page_size": "A4",
        "orientation": "landscape",
    }
    data.update(overrides)
    return data


def png_upload(name="bg.png", size=(40, 30), fmt="PNG", color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_list_shows_version_and_courses_using_it(staff_client, project, course):
    template = course.certificate.template
    TemplateFactory(project=project, name="Unused")
    TemplateFactory(name="Another school's")
    response = staff_client.get(reverse("staff:templates", args=[project.slug]))
    html = response.content.decode()
    assert [t.name for t in response.context["templates"]] == ["Classic", "Unused"]
    assert course.title in html
    assert "not used yet" in html
    assert edit_url(template) in html


def test_new_template_starts_from_a_default(staff_client, project):
    url = reverse("staff:template_new", args=[project.slug])
    response = staff_client.get(url, {"start": "modern"})
    assert response.context["form"]["html"].value() == defaults.MODERN_HTML
    assert not CertificateTemplate.objects.exists()

    response = staff_client.post(url, form_data(name="School design"))
    template = CertificateTemplate.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == edit_url(template)
    assert (template.name, template.version) == ("School design", 1)
    assert TemplateRevision.objects.filter(template=template, version=1).count() == 1


def test_each_change_bumps_the_version_and_keeps_a_revision(staff_client, template):
    first_html = template.html
    staff_client.post(edit_url(template), form_data(template, html=first_html + "<p>v2</p>"))
    template.refresh_from_db()
    assert template.version == 2
    staff_client.post(edit_url(template), form_data(template, css="body { color: red; }"))
    template.refresh_from_db()
    assert template.version == 3
    revisions = dict(
        TemplateRevision.objects.filter(template=template).values_list("version", "css")
    )
    assert revisions[3] == "body { color: red; }"
    assert TemplateRevision.objects.get(template=template, version=2).html.endswith("<p>v2</p>")


def test_an_unchanged_save_keeps_the_version(staff_client, template):
    # as a browser sends it: textarea lines end in CRLF
    data = form_data(
        template, html=template.html.replace("\n", "\r\n"), css=template.css.replace("\n", "\r\n")
    )
    response = staff_client.post(edit_url(template), data, follow=True)
    template.refresh_from_db()
    assert template.version == 1
    assert TemplateRevision.objects.filter(template=template).count() <= 1
    assert "the version stays" in response.content.decode()


def test_renaming_alone_keeps_the_version(staff_client, template):
    staff_client.post(edit_url(template), form_data(template, name="Classic gold"))
    template.refresh_from_db()
    assert (template.name, template.version) == ("Classic gold", 1)


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<p>{% include 'x.html' %}</p>", "template tags"),
        ("<p>{{ settings.SECRET_KEY }}</p>", "template tags"),
        ("<p>{{ participant_name.__class__ }}</p>", "template tags"),
        ("<p>{{ participant_name|upper }}</p>", "template tags"),
        ("<p>{{ secret_key }}</p>", "Unknown placeholders: secret_key"),
    ],
)
def test_bad_html_is_refused_next_to_the_field(staff_client, template, html, message):
    response = staff_client.post(edit_url(template), form_data(template, html=html))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["html"])
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    template.refresh_from_db()
    assert (template.version, template.html) == (1, defaults.CLASSIC_HTML)


def test_background_upload_is_saved_as_a_new_version(staff_client, template, settings):
    data = form_data(template, background=png_upload())
    response = staff_client.post(edit_url(template), data)
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.version == 2
    assert template.background.name.startswith("certificate-backgrounds/")
    assert (settings.MEDIA_ROOT / template.background.name).is_file()
    revision = TemplateRevision.objects.get(template=template, version=2)
    assert revision.background == template.background.name


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("bg.png", b"not an image at all", content_type="image/png"), "image"),
        (png_upload(name="bg.gif", fmt="GIF"), "PNG or JPEG"),
        (png_upload(size=(4001, 10)), "the limit is 4000 pixels on each side"),
    ],
)
def test_background_must_be_a_reasonable_png_or_jpeg(staff_client, template, upload, message):
    response = staff_client.post(edit_url(template), form_data(template, background=upload))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["background"])
    template.refresh_from_db()
    assert template.version == 1 and not template.background


def test_a_background_over_4000_pixels_is_refused_with_its_size_and_the_limit_in_both_languages(
    client, alice, template
):
    client.force_login(alice)
    response = client.post(
        edit_url(template), form_data(template, background=png_upload(size=(10, 4500)))
    )
    assert response.context["form"].errors["background"] == [
        "The image is 10 × 4500 pixels; the limit is 4000 pixels on each side, so that "
        "certificates render quickly. Scale it down and upload it again."
    ]
    response = client.post(
        edit_url(template),
        form_data(template, background=png_upload(size=(10, 4500))),
        HTTP_ACCEPT_LANGUAGE="uk",
    )
    assert response.context["form"].errors["background"] == [
        "Зображення має 10 × 4500 пікселів; межа — 4000 пікселів з кожного боку, щоб "
        "сертифікати створювалися швидко. Зменште його й завантажте знову."
    ]
    template.refresh_from_db()
    assert template.version == 1 and not template.background


def test_a_background_of_4000_pixels_is_taken(staff_client, template):
    data = form_data(template, background=png_upload(size=(4000, 10)))
    assert staff_client.post(edit_url(template), data).status_code == 302
    template.refresh_from_db()
    assert template.version == 2 and template.background


def test_background_size_limit(staff_client, template, monkeypatch):
    monkeypatch.setattr("certificates.forms.MAX_BACKGROUND_BYTES", 100)
    response = staff_client.post(edit_url(template), form_data(template, background=png_upload()))
    assert "the limit is" in " ".join(response.context["form"].errors["background"])


def test_manager_gets_404_on_editor_pages(client, project, template):
    manager = MembershipFactory(project=project, role=Membership.Role.MANAGER).user
    client.force_login(manager)
    assert client.get(edit_url(template)).status_code == 404
    assert client.post(edit_url(template), form_data(template, css="x")).status_code == 404
    assert client.get(reverse("staff:template_new", args=[project.slug])).status_code == 404
    preview = reverse("staff:template_preview", args=[project.slug])
    assert client.post(preview, form_data(template)).status_code == 404
    template.refresh_from_db()
    assert template.version == 1
    # the list stays readable, without edit links
    response = client.get(reverse("staff:templates", args=[project.slug]))
    assert response.status_code == 200
    assert edit_url(template) not in response.content.decode()


def test_foreign_project_is_404(client, charlie, project, template):
    client.force_login(charlie)
    assert client.get(edit_url(template)).status_code == 404
    own = charlie.memberships.get().project
    assert (
        client.get(reverse("staff:template_edit", args=[own.slug, template.public_id])).status_code
        == 404
    )
    assert client.get(reverse("staff:templates", args=[project.slug])).status_code == 404


def test_get_never_changes_data(staff_client, project, template):
    assert staff_client.get(edit_url(template), {"css": "x", "name": "y"}).status_code == 200
    assert staff_client.get(reverse("staff:template_new", args=[project.slug])).status_code == 200
    preview = reverse("staff:template_preview", args=[project.slug])
    assert staff_client.get(preview).status_code == 405
    template.refresh_from_db()
    assert (template.name, template.version) == ("Classic", 1)
    assert CertificateTemplate.objects.count() == 1


def preview(client, project, data, **extra):
    return client.post(reverse("staff:template_preview", args=[project.slug]), data, **extra)


def test_preview_is_a_png_of_the_unsaved_form(staff_client, project, template):
    response = preview(staff_client, project, form_data(template, name=""))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(response.content)).convert("L")
    assert abs(image.width - 900) <= 1 and image.width > image.height  # A4 landscape
    darkest, lightest = image.getextrema()
    assert darkest < 100 < lightest  # text on a page, not a blank picture
    template.refresh_from_db()
    assert template.version == 1  # previewing saves nothing


def test_preview_draws_what_is_typed(staff_client, project, template):
    plain = form_data(template, html="<p>Hello</p>", css="")
    red = form_data(template, html="<p>Hello</p>", css="html { background: #ff0000; }")
    white = Image.open(io.BytesIO(preview(staff_client, project, plain).content)).convert("RGB")
    filled = Image.open(io.BytesIO(preview(staff_client, project, red).content)).convert("RGB")
    assert white.getpixel((450, 300)) == (255, 255, 255)
    assert filled.getpixel((450, 300)) == (255, 0, 0)


def test_preview_shows_an_unsaved_background(staff_client, project, template):
    data = form_data(template, html="<p></p>", css="", background=png_upload(color=(0, 0, 255)))
    image = Image.open(io.BytesIO(preview(staff_client, project, data).content)).convert("RGB")
    assert image.getpixel((450, 300)) == (0, 0, 255)
    assert not (project and CertificateTemplate.objects.get(pk=template.pk).background)


def test_htmx_preview_is_an_image_fragment(staff_client, project, template):
    response = preview(staff_client, project, form_data(template), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert '<img class="img-fluid' in response.content.decode()
    assert 'src="data:image/png;base64,iVBORw0KGgo' in response.content.decode()


def test_preview_with_invalid_html_shows_the_reason(staff_client, project, template):
    data = form_data(template, html="{% debug %}")
    response = preview(staff_client, project, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "template tags" in response.content.decode()
    response = preview(staff_client, project, data)
    assert response.status_code == 400
    assert "template tags" in response.content.decode()


def test_a_render_error_is_a_message_not_a_500(staff_client, project, template, monkeypatch):
    def explode(**kwargs):
        raise RenderError("The certificate could not be drawn. Check the HTML and CSS.")

    monkeypatch.setattr("certificates.rendering.render_pdf", explode)
    response = preview(staff_client, project, form_data(template), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The certificate could not be drawn. Check the HTML and CSS." in html


def test_bad_css_still_previews(staff_client, project, template):
    data = form_data(template, css="body { color: ; } @page { size: banana; } }}}{{{")
    response = preview(staff_client, project, data)
    assert response.status_code == 200
    assert response.content.startswith(PNG_SIGNATURE)


def test_preview_of_a_saved_template_uses_its_background(staff_client, project, template):
    staff_client.post(
        edit_url(template), form_data(template, background=png_upload(color=(0, 128, 0)))
    )
    url = reverse("staff:template_preview", args=[project.slug])
    data = form_data(template, html="<p></p>", css="")
    response = staff_client.post(f"{url}?template={template.public_id}", data)
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert image.getpixel((450, 300)) == (0, 128, 0)


def test_preview_of_an_unknown_or_foreign_template_is_404(staff_client, project, template):
    url = reverse("staff:template_preview", args=[project.slug])
    foreign = TemplateFactory(name="Foreign")
    for ref in ("not-a-uuid", foreign.public_id):
        assert staff_client.post(f"{url}?template={ref}", form_data(template)).status_code == 404


def test_list_makes_the_same_queries_for_one_and_many_templates(staff_client, project, template):
    url = reverse("staff:templates", args=[project.slug])
    queries, rows = page_queries(staff_client, url, "templates")
    assert rows == 1
    for _ in range(30):
        course_with_certificate(project, template=TemplateFactory(project=project))
    assert page_queries(staff_client, url, "templates") == (queries, 31)


def test_the_letter_page_size_is_translated_in_the_editor(client, alice, template):
    client.force_login(alice)
    page = client.get(edit_url(template), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert '<option value="letter">Letter (США)</option>' in page
    page = client.get(edit_url(template), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="letter">Letter</option>' in page
