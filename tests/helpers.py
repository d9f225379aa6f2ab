"""Helpers the tests share: read a PDF, complete lessons, count a page's queries."""

import io

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from courses.services import lesson_complete


def pdf_text(pdf: bytes) -> str:
    """The text of every page, a line break between pages."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def complete_lessons(contact, course, count=None, *, score=100):
    """Complete the first `count` lessons of `course` (all by default), as the student would.

    Tests get `score` percent; the contact needs active access, as in the portal.
    """
    for lesson in course.lessons.order_by("position")[:count]:
        lesson_complete(contact=contact, lesson=lesson, score=score if lesson.is_test else None)


def products_url(contact) -> str:
    """The contact card's Products tab."""
    return reverse("staff:contact_products", args=[contact.project.slug, contact.public_id])


def messages_of(response) -> list[str]:
    """The flash messages a response left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def count_queries(call):
    """(number of SQL queries `call()` made, what it returned)."""
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


def page_queries(client, url, rows: str) -> tuple[int, int]:
    """GET `url`: (number of SQL queries, number of rows in the page's context[`rows`]).

    A list page makes the same queries for 1 row and for 50: tests compare two of these.
    """
    queries, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    return queries, len(response.context[rows])
