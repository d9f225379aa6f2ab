"""Issue 12.4: the starter designs fill their page (the first two left the bottom 40% empty).

Measured on the printed text itself: its lines must spread from the top quarter of the page
into the bottom quarter, so no design ends halfway down with a blank lower half."""

import pypdfium2
import pytest

from certificates import defaults, rendering


def text_lines_span(pdf: bytes) -> tuple[float, float, float, float]:
    """(page width, page height, the highest text's top, the lowest text's bottom), in points
    from the bottom of the first page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        text = page.get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars())]
        boxes = [box for box in boxes if box[3] > box[1]]  # spaces and line ends have no box
        return (
            page.get_width(),
            page.get_height(),
            max(top for _l, _b, _r, top in boxes),
            min(bottom for _l, bottom, _r, _t in boxes),
        )
    finally:
        document.close()


@pytest.mark.parametrize("key", list(defaults.DESIGNS))
def test_each_starter_design_fills_its_page_top_to_bottom(key):
    _name, orientation, html, css = defaults.DESIGNS[key]
    pdf = rendering.render_pdf(
        school_id=1,
        html=html,
        css=css,
        page_size="A4",
        orientation=orientation,
        background=None,
        values=defaults.SAMPLE_VALUES,
    )
    width, height, top, bottom = text_lines_span(pdf)
    assert (width > height) == (orientation == "landscape")
    assert top > height * 0.75, f"{key}: the text starts {1 - top / height:.0%} down the page"
    assert bottom < height * 0.25, f"{key}: the text ends {1 - bottom / height:.0%} down the page"


def test_the_gallery_has_landscape_and_portrait_designs():
    assert {design[1] for design in defaults.DESIGNS.values()} == {"landscape", "portrait"}
    assert len(defaults.DESIGNS) == 3
