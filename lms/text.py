"""Text from people the school does not control, made safe to print and to show."""

import re

# Bidirectional formatting characters: embeddings and overrides (U+202A-U+202E), isolates
# (U+2066-U+2069) and the implicit marks (U+200E, U+200F, U+061C). In a name they reorder what
# follows ("evil" with a right-to-left override before it prints as "live"); a name needs none
# of them, because the surrounding page sets the direction of each word by itself.
BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS_RE.sub("", text)
