"""The "New template" page: three designs with pictures, drawn once per process."""

from django.urls import reverse

from certificates.views.staff import template_editor

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_gallery_shows_three_designs_with_pictures(staff_client, project):
    response = staff_client.get(reverse("staff:template_new", args=[project.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    for key in ("classic", "modern", "elegant"):
        assert f"/templates/designs/{key}.png" in body
        assert f"?start={key}" in body
    assert body.count(">Use this design</a>") == 3
    assert 'aria-label="Use this design: Elegant"' in body


def test_a_design_picture_is_drawn_once(staff_client, project, monkeypatch):
    template_editor._design_pictures.clear()
    calls = []
    real = template_editor.rendering.render_pdf
    monkeypatch.setattr(
        template_editor.rendering,
        "render_pdf",
        lambda **kw: calls.append(kw["orientation"]) or real(**kw),
    )
    url = reverse("staff:template_design_picture", args=[project.slug, "elegant"])
    first = staff_client.get(url)
    second = staff_client.get(url)
    assert first.content.startswith(PNG_SIGNATURE)
    assert second.content == first.content
    assert calls == ["portrait"]


def test_an_unknown_design_is_404(staff_client, project):
    url = reverse("staff:template_design_picture", args=[project.slug, "nope"])
    assert staff_client.get(url).status_code == 404


def test_use_this_design_opens_the_editor_with_it(staff_client, project):
    url = reverse("staff:template_new", args=[project.slug])
    response = staff_client.get(url, {"start": "elegant"})
    form = response.context["form"]
    assert form["name"].value() == "Elegant"
    assert form["orientation"].value() == "portrait"
    assert "{{ if completed }}" in form["html"].value()


def test_the_gallery_is_in_ukrainian(staff_client, project):
    response = staff_client.get(
        reverse("staff:template_new", args=[project.slug]), HTTP_ACCEPT_LANGUAGE="uk"
    )
    assert "Використати цей дизайн" in response.content.decode()
