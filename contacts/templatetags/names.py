"""`{{ contact.name|bdi }}`: a person's name isolated from the text around it.

A right-to-left name (Arabic, Hebrew) set into a left-to-right sentence, or the reverse,
pulls the neighbouring punctuation and numbers to its side: "Printed for “نور”; …" comes
out scrambled. <bdi> gives the name its own direction and leaves the sentence alone.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bdi(name):
    """The name escaped and wrapped in <bdi>; safe to pass into blocktranslate."""
    return format_html("<bdi>{}</bdi>", "" if name is None else name)
