"""The `if` blocks: a tiny fixed grammar, checked on save."""

import pytest
from django.urls import reverse

from certificates import defaults, rendering
from tests.factories import TemplateFactory


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("{{ if completed }}yes", "“{{ if completed }}” is never closed; add {{ end }}"),
        ("yes{{ end }}", "{{ end }} without an {{ if … }} before it."),
        ("{{ else }}no{{ end }}", "{{ else }} without an {{ if … }} before it."),
        (
            "{{ if completed }}a{{ if forced }}b{{ end }}{{ end }}",
            "“{{ if forced }}” starts inside another block",
        ),
        ("{{ if completed }}a{{ else }}b{{ else }}c{{ end }}", "A block has two {{ else }}"),
        ("{{ if admin }}a{{ end }}", "Unknown condition “admin”; use one of: completed, forced"),
        ("{{ if completed.x }}a{{ end }}", "Only plain placeholders"),
    ],
)
def test_unbalanced_or_unknown_blocks_are_refused(html, message):
    errors = rendering.validate_template_html(html)
    assert any(message in error for error in errors), errors


def test_a_good_block_is_accepted_and_resolved():
    html = "A{{ if completed }}B{{ else }}C{{ end }}D{{ if has_expiry }}E{{ end }}"
    assert rendering.validate_template_html(html) == []
    assert rendering.resolve_blocks(html, {"completed": True}) == "ABD"
    assert rendering.resolve_blocks(html, {"completed": False, "expiry_date": "1 May"}) == "ACDE"
    # A snapshot from before `completed` was recorded: its progress says.
    assert rendering.resolve_blocks(html, {"progress": {"conditions_met": False}}) == "ACD"


def test_the_editor_refuses_an_unbalanced_block_on_save(client, alice, project):
    client.force_login(alice)
    template = TemplateFactory(project=project)
    url = reverse("staff:template_edit", args=[project.slug, template.public_id])
    response = client.post(
        url,
        {
            "name": "Classic",
            "html": "<p>{{ if completed }}done</p>",
            "css": "",
            "page_size": "A4",
            "orientation": "landscape",
        },
    )
    assert response.status_code == 200
    assert "is never closed" in " ".join(response.context["form"].errors["html"])
    template.refresh_from_db()
    assert template.version == 1


@pytest.mark.parametrize("key", list(defaults.DESIGNS))
def test_every_starter_design_is_valid(key):
    assert rendering.validate_template_html(defaults.DESIGNS[key][2]) == []
