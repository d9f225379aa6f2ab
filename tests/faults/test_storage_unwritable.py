"""The private folder fails: issuing works, downloads say "being prepared", the email goes.

Tests run as root in CI, where a read-only folder is still writable; so the folder is replaced
by a plain file, which no user can create folders or files under (NotADirectoryError).
Tasks run eagerly here; a task called again stands for its retry. The retries with backoff on
a real worker are in test_worker_killed.py.
"""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from certificates import rendering, tasks
from certificates.services import certificate_issue
from tests.factories import UserFactory


@pytest.fixture
def private_folder(tmp_path):
    """The private folder (see tests/conftest.py), broken: `.repair()` makes it a folder again."""

    class Folder:
        path = tmp_path / "private"

        def break_(self):
            self.path.write_text("not a folder")

        def repair(self):
            self.path.unlink()
            self.path.mkdir()

        def files(self):
            return sorted(p for p in self.path.rglob("*.pdf"))

    return Folder()


@pytest.fixture
def issue(contact, course, access, alice, django_capture_on_commit_callbacks):
    def issue_now():
        with django_capture_on_commit_callbacks(execute=True):
            certificate, _created = certificate_issue(
                contact=contact, course=course, actor=alice, force=True
            )
        certificate.refresh_from_db()
        return certificate

    return issue_now


def staff_url(certificate):
    return reverse("staff:certificate_download", args=["demo", certificate.public_id])


def portal_url(certificate):
    return reverse("portal:download", args=[certificate.public_id])


def test_unwritable_storage_keeps_the_record_sends_the_email_and_says_being_prepared(
    client, private_folder, issue, contact, alice
):
    contact.user = UserFactory(email=contact.email)
    contact.save()
    private_folder.break_()

    certificate = issue()

    assert certificate.pdf.name == ""
    # The email does not wait for the PDF: a student with a login gets a link.
    [message] = mail.outbox
    assert message.to == [contact.email] and message.attachments == []
    assert certificate.notified_at is not None

    client.force_login(alice)
    page = client.get(staff_url(certificate), headers={"accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 503
    assert page["Retry-After"] == "15"
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="15">' in html
    assert "The certificate is being prepared" in html
    client.force_login(contact.user)
    plain = client.get(portal_url(certificate), headers={"accept": "application/pdf"})
    assert (plain.status_code, plain["Retry-After"]) == (503, "15")
    assert plain["Content-Type"] == "text/plain; charset=utf-8"
    assert plain.content.decode() == (
        "The certificate PDF is being prepared. Try again in a minute."
    )
    assert private_folder.path.is_file()  # nothing was written anywhere

    private_folder.repair()
    tasks.certificate_render.delay(certificate.id)  # the render task's next retry

    certificate.refresh_from_db()
    [stored] = private_folder.files()
    assert stored.name == certificate.pdf.name.rsplit("/", 1)[1]
    response = client.get(portal_url(certificate))
    assert response.status_code == 200
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])[:5]
        == b"%PDF-"
    )
    client.force_login(alice)
    assert client.get(staff_url(certificate)).status_code == 200
    assert len(private_folder.files()) == 1  # served, not rendered again
    assert len(mail.outbox) == 1


def test_without_a_login_the_email_waits_for_the_pdf_and_is_sent_once_it_exists(
    private_folder, issue, contact
):
    private_folder.break_()

    certificate = issue()

    assert mail.outbox == []
    certificate.refresh_from_db()
    assert certificate.notified_at is None  # the claim was handed back for the retry

    private_folder.repair()
    tasks.certificate_email.delay(certificate.id)  # the email task's next retry

    [message] = mail.outbox
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    assert filename == f"{certificate.number}.pdf" and content.startswith(b"%PDF-")
    assert len(private_folder.files()) == 1
    tasks.certificate_render.delay(certificate.id)  # the render task finds it there
    tasks.certificate_email.delay(certificate.id)
    assert len(private_folder.files()) == 1 and len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_downloads_of_a_missing_pdf_render_it_once(
    private_folder, issue, alice, monkeypatch
):
    certificate = issue()
    for path in private_folder.files():  # the PDF goes missing from storage
        path.unlink()
    renders = []
    real = rendering.render_certificate

    def counted(certificate):
        renders.append(certificate.pk)
        return real(certificate)

    monkeypatch.setattr(rendering, "render_certificate", counted)
    start = threading.Barrier(10)
    answers = []

    def download():
        try:
            client = Client()
            client.force_login(alice)
            start.wait()
            response = client.get(staff_url(certificate))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            answers.append((response.status_code, body[:5]))
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert answers == [(200, b"%PDF-")] * 10
    assert renders == [certificate.pk]
    certificate.refresh_from_db()
    [stored] = private_folder.files()
    assert stored.name == certificate.pdf.name.rsplit("/", 1)[1]
