import re

from django.core import mail
from django.urls import reverse


def test_the_login_page_links_to_password_reset(client, db):
    html = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in html


def test_password_reset_by_email(client, student):
    page = client.get(reverse("password_reset"))
    assert "Reset your password" in page.content.decode()

    response = client.post(reverse("password_reset"), {"email": "OLENA@example.com"})
    assert response["Location"] == reverse("password_reset_done")

    [message] = mail.outbox
    assert message.to == ["olena@example.com"]
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(path, follow=True)
    assert "Choose your password" in form.content.decode()
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "fresh-secret-2026", "new_password2": "fresh-secret-2026"},
    )
    assert client.login(username="olena@example.com", password="fresh-secret-2026")


def test_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert "If an account exists for that address" in response.content.decode()
    assert mail.outbox == []
