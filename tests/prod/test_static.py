"""DEBUG=false: hashed, compressed static files served by whitenoise with far-future caching.

collectstatic runs here into a folder of this test's own with the production storage, so the
test needs nothing prepared; CI's production pass also collects into STATIC_ROOT first and
runs every test with REQUIRE_COLLECTED_STATIC=1 (templates then must name collected files).
"""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Collected once for the module; the admin's and the API docs' files are left out (the
    compression of ~1,000 files is most of collectstatic's time, and no page here uses them)."""
    root = tmp_path_factory.mktemp("static")
    storages = settings.STORAGES | {"staticfiles": {"BACKEND": "lms.storage.StaticStorage"}}
    with override_settings(DEBUG=False, STATIC_ROOT=root, STORAGES=storages):
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin", "ninja"]
        )
        yield root


def test_pages_name_hashed_files_that_whitenoise_serves_for_a_year(collected):
    client = Client()  # its handler (and whitenoise) made now, after collectstatic
    html = client.get("/accounts/login/").content.decode()
    names = re.findall(r'/static/([^"]+\.[0-9a-f]{12}\.css)"', html)
    assert names, "the login page names no hashed stylesheet"
    response = client.get(f"/static/{names[0]}")
    assert response.status_code == 200
    # whitenoise gives hashed names ten years; a year or more is what the issue asks.
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    # Compressed copies sit beside each file and are sent to clients that accept them.
    gzipped = client.get(f"/static/{names[0]}", HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip"
    assert (collected / f"{names[0]}.gz").exists()


def test_an_unhashed_name_is_not_cached_for_long(collected):
    client = Client()
    html = client.get("/accounts/login/").content.decode()
    hashed = re.findall(r'/static/([^"]+)\.[0-9a-f]{12}(\.css)"', html)[0]
    response = client.get(f"/static/{hashed[0]}{hashed[1]}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"  # may change under that name
