"""The certificate PDF: its text, where it is stored, re-rendering, and what it may fetch."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages

from certificates import rendering
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_pdf, certificate_store_pdf
from tests.factories import AccessFactory, ContactFactory
from tests.helpers import pdf_text


def issue(contact, course, actor):
    AccessFactory(contact=contact, course=course)
    certificate, _ = certificate_issue(contact=contact, course=course, actor=actor, force=True)
    certificate_store_pdf(certificate=certificate)
    return Certificate.objects.get(pk=certificate.pk)


@pytest.mark.parametrize("name", ["Олена Коваленко", "Marta Nowak-Żółć", "Jean-Luc O'Neill"])
def test_the_stored_pdf_prints_the_snapshot(project, course, alice, name):
    contact = ContactFactory(project=project, name=name)
    certificate = issue(contact, course, alice)
    with certificate.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert name in text
    assert certificate.number in text
    assert course.title in text
    assert "Certificate of Completion" in text
    assert f"{settings.SITE_URL}/verify/{certificate.code}/" in text.replace("\n", "")


def test_the_print_name_is_what_is_printed(project, course, alice):
    contact = ContactFactory(project=project, name="Olena K.", print_name="Олена Коваленко")
    text = pdf_text(certificate_pdf(certificate=issue(contact, course, alice)))
    assert "Олена Коваленко" in text
    assert "Olena K." not in text


def test_the_qr_code_points_to_the_verification_page(contact, course, alice):
    certificate = issue(contact, course, alice)
    url = certificate.snapshot["verification_url"]
    assert url == f"{settings.SITE_URL}/verify/{certificate.code}/"
    html = rendering.fill_placeholders("{{ qr_code }}", certificate.snapshot)
    assert html.startswith('<img class="qr-code" alt="QR" src="data:image/svg+xml;base64,')
    assert html == rendering.qr_code_img(url)


def test_verification_codes_are_long_random_and_distinct(project, course, alice):
    codes = {issue(ContactFactory(project=project), course, alice).code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) == 16  # 80 bits in base32
        assert code.isalnum() and code.isupper()


def test_the_pdf_is_private_under_an_unguessable_name(project, course, alice, tmp_path):
    one = issue(ContactFactory(project=project), course, alice)
    two = issue(ContactFactory(project=project), course, alice)
    path = Path(one.pdf.path).resolve()
    assert path.is_file()
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    folder, _, filename = one.pdf.name.rpartition("/")
    assert folder == f"certificates/{project.id}"
    stem = filename.removesuffix(".pdf")
    assert len(stem) >= 32  # 24 random bytes, url-safe
    for guessable in (one.number, one.code, str(one.public_id)):
        assert guessable not in one.pdf.name
    assert one.pdf.name != two.pdf.name
    with pytest.raises(ValueError):
        one.pdf.url  # noqa: B018  (no URL exists for a private file)


def test_private_storage_is_configured_outside_media_without_urls():
    private = storages.create_storage(settings.STORAGES["private"])
    with pytest.raises(ValueError, match="no URL"):
        private.url("certificates/1/x.pdf")
    location = Path(private.location).resolve()
    assert location == Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    media = Path(storages.create_storage(settings.STORAGES["default"]).location)
    assert not location.is_relative_to(media.resolve())


def test_a_missing_file_is_rendered_again_from_the_snapshot(contact, course, alice):
    certificate = issue(contact, course, alice)
    old_name = certificate.pdf.name
    Path(certificate.pdf.path).unlink()

    contact.name = "Changed Since"
    contact.save()
    pdf = certificate_pdf(certificate=certificate)

    assert "Олена Коваленко" in pdf_text(pdf)
    assert "Changed Since" not in pdf_text(pdf)
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.pdf.name != old_name
    assert Path(stored.pdf.path).read_bytes() == pdf


def test_a_stored_file_is_served_without_rendering(contact, course, alice, monkeypatch):
    certificate = issue(contact, course, alice)
    stored = Path(certificate.pdf.path).read_bytes()

    def fail(*args, **kwargs):
        raise AssertionError("rendered although the file exists")

    monkeypatch.setattr(rendering, "render_certificate", fail)
    assert certificate_pdf(certificate=certificate) == stored


def test_a_stored_file_is_opened_without_asking_whether_it_exists(
    contact, course, alice, monkeypatch, django_assert_num_queries
):
    """One request to the storage per download (a stat, or a bucket's HEAD, saved), and no
    query: the certificate in hand names the file."""
    certificate = issue(contact, course, alice)
    stored = Path(certificate.pdf.path).read_bytes()

    def fail(*args, **kwargs):
        raise AssertionError("asked whether the file exists")

    monkeypatch.setattr(type(certificate.pdf.storage), "exists", fail)
    with django_assert_num_queries(0):
        assert certificate_pdf(certificate=certificate) == stored


def test_storing_again_replaces_the_old_file(contact, course, alice):
    certificate = issue(contact, course, alice)
    old_path = Path(certificate.pdf.path)
    certificate_store_pdf(certificate=certificate)
    assert not old_path.exists()
    assert Path(certificate.pdf.path).is_file()


def test_one_font_configuration_and_a_reused_bounded_image_cache():
    first = rendering._weasyprint()
    assert rendering._weasyprint() is first
    assert type(first[1]).__name__ == "FontConfiguration"
    cache = rendering._image_cache()
    cache["data:x"] = object()
    assert rendering._image_cache() is cache
    for i in range(rendering.IMAGE_CACHE_ENTRIES):
        cache[f"data:{i}"] = object()
    assert rendering._image_cache() == {}  # past its bound, a fresh cache


def test_a_render_shares_cached_files_but_never_keeps_data_uri_images():
    shared = {"file:///static/seal.png": "seal"}
    cache = rendering.RenderImageCache(shared)
    assert "file:///static/seal.png" in cache
    assert cache["file:///static/seal.png"] == "seal"
    cache["data:image/svg+xml;base64,AAAA"] = "qr"
    cache["5d41402abc4b2a76b9719d911017c592-source-"] = b"decoded"
    cache["file:///media/background.png"] = "background"
    assert cache["data:image/svg+xml;base64,AAAA"] == "qr"
    assert shared == {
        "file:///static/seal.png": "seal",
        "file:///media/background.png": "background",
    }
    assert "data:image/svg+xml;base64,AAAA" not in rendering.RenderImageCache(shared)


SCHOOL = 7


@pytest.fixture
def fetcher():
    return rendering.url_fetcher(rendering.Sandbox.for_school(SCHOOL))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        "http://127.0.0.1:8000/static/css/app.css",
        "https://example.com/logo.png",
        "ftp://example.com/x.png",
        f"file://{settings.BASE_DIR}/lms/settings.py",
        f"file://{settings.BASE_DIR}/static/../lms/settings.py",
        f"file://{settings.BASE_DIR}/static/%2e%2e/lms/settings.py",
    ],
)
def test_the_fetcher_refuses_everything_but_data_and_our_own_files(fetcher, url):
    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch(url)


def test_the_fetcher_allows_data_uris_static_and_the_school_uploads(fetcher, settings):
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    static_file = Path(settings.STATICFILES_DIRS[0]) / "css" / "app.css"
    response = fetcher.fetch(static_file.resolve().as_uri())
    assert response.read() == static_file.read_bytes()
    response.close()
    folder = Path(settings.MEDIA_ROOT) / rendering.school_folder(SCHOOL)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seal.png").write_bytes(b"\x89PNG fake")
    response = fetcher.fetch((folder / "seal.png").resolve().as_uri())
    assert response.read() == b"\x89PNG fake"
    response.close()


def test_a_template_cannot_print_a_local_file(contact, course, alice, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'TOP-SECRET-VALUE'; }")
    pdf = rendering.render_pdf(
        school_id=SCHOOL,
        html="<p>{{ participant_name }}</p>",
        css=f'@import url("{secret.as_uri()}");',
        page_size="A4",
        orientation="portrait",
        values={"participant_name": "Олена", "verification_url": "http://x/verify/A/"},
    )
    text = pdf_text(pdf)
    assert "Олена" in text
    assert "TOP-SECRET-VALUE" not in text


def render(html="<p>{{ participant_name }}</p>", css=""):
    return pdf_text(
        rendering.render_pdf(
            school_id=SCHOOL,
            html=html,
            css=css,
            page_size="A4",
            orientation="portrait",
            values={"participant_name": "Олена", "verification_url": "http://x/verify/A/"},
        )
    )


@pytest.mark.parametrize("where", ["dotdot", "encoded-dotdot"])
def test_a_render_cannot_climb_out_of_media(tmp_path, settings, where):
    (tmp_path / "secret.css").write_text("body::after { content: 'TOP-SECRET-VALUE'; }")
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    step = ".." if where == "dotdot" else "%2e%2e"
    text = render(css=f'@import url("{media.as_uri()}/{step}/secret.css");')
    assert "Олена" in text
    assert "TOP-SECRET-VALUE" not in text


def test_a_render_may_use_the_school_uploads_and_data_uris(settings):
    folder = Path(settings.MEDIA_ROOT) / rendering.school_folder(SCHOOL)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "extra.css").write_text("body::after { content: 'FROM-MEDIA'; }")
    assert "FROM-MEDIA" in render(css=f'@import url("{(folder / "extra.css").as_uri()}");')
    data = "data:text/css;base64,Ym9keTo6YWZ0ZXIgeyBjb250ZW50OiAnRlJPTS1EQVRBJzsgfQ=="
    assert "FROM-DATA" in render(css=f'@import url("{data}");')


def test_a_stored_pdf_downloads_without_reading_the_templates_html(
    client, project, contact, course, alice
):
    """Staff's download of a stored PDF reads the session, the user, the membership and the
    certificate: not the template revision, whose row holds the template's whole HTML and CSS."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    certificate = issue(contact, course, alice)
    client.force_login(alice)
    url = reverse("staff:certificate_download", args=[project.slug, certificate.public_id])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert body == Path(certificate.pdf.path).read_bytes()
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries if " FROM " in q["sql"]]
    assert tables == [
        '"django_session"',
        '"accounts_user"',
        '"accounts_membership"',
        '"certificates_certificate"',
    ]
    assert not any("certificates_templaterevision" in q["sql"] for q in queries)
