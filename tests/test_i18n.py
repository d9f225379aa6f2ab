"""The Ukrainian catalogue: complete, consistent with the agreed glossary, and actually used."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

PO_PATH = Path(django_settings.BASE_DIR) / "locale" / "uk" / "LC_MESSAGES" / "django.po"

# The words of the help-center article and the staff's own vocabulary; the browser journey in
# Ukrainian looks for some of them on screen.
GLOSSARY = {
    "Products": "Продукти",
    "Issue now": "Видати зараз",
    "History": "Історія",
    "Info": "Інформація",
    "Contacts": "Контакти",
    "Courses": "Курси",
    "All reports": "Усі звіти",
    "Certificates": "Сертифікати",
    "pending, course not completed": "очікує, курс не завершено",
    "Delete certificate": "Видалити сертифікат",
    "My certificates": "Мої сертифікати",
    "My courses": "Мої курси",
    "Download": "Завантажити",
    "certificate": "сертифікат",
    "contact": "контакт",
    "Participant": "Учасник",
    "Template": "Шаблон",
    "number": "номер",
    "Issue date": "Дата видачі",
    "Reissued": "Перевидано",
}

# Terms that must read the same wherever they appear inside longer messages.
TERMS_IN_CONTEXT = {
    "Issue now": "Видати зараз",
    "My certificates": "Мої сертифікати",
}

ENTRY_LINE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d)\])?) (\".*\")$")
FORMAT_SPEC = re.compile(r"%\([a-z_]+\)[sd]|%%|\{[a-z_]+(?::[0-9]+)?\}")


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def parse_po(text: str) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr[n], flags."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry = {"flags": set(), "msgstr": {}, "msgctxt": None, "msgid_plural": None}
        key = None
        obsolete = False
        for line in block.splitlines():
            if line.startswith("#~"):
                obsolete = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d)\])?) (\".*\")$", line
            ):
                name, index, value = match.groups()
                key = ("msgstr", int(index or 0)) if name.startswith("msgstr") else name
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] = _unquote(value)
                else:
                    entry[key] = _unquote(value)
            elif line.startswith('"') and key is not None:
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
            else:
                raise ValueError(f"Unexpected line in {PO_PATH.name}: {line!r}")
        if not obsolete:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(catalogue) -> dict:
    return {(e["msgctxt"], e["msgid"]): e for e in catalogue if e["msgid"]}


def test_header_declares_ukrainian_with_three_plural_forms(catalogue):
    header = catalogue[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"], "a fuzzy header makes msgfmt drop the charset"
    assert "Language: uk\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=3;" in header["msgstr"][0]


def test_every_entry_is_translated_and_none_is_fuzzy(messages):
    assert len(messages) > 300
    fuzzy = [msgid for (_, msgid), e in messages.items() if "fuzzy" in e["flags"]]
    untranslated = [
        msgid
        for (_, msgid), e in messages.items()
        if not e["msgstr"] or not all(e["msgstr"].values())
    ]
    assert fuzzy == []
    assert untranslated == []


def test_plural_entries_have_all_three_ukrainian_forms(messages):
    plurals = [e for e in messages.values() if e["msgid_plural"] is not None]
    assert plurals
    for entry in plurals:
        assert sorted(entry["msgstr"]) == [0, 1, 2], entry["msgid"]


def test_translations_keep_every_placeholder(messages):
    for (_, msgid), entry in messages.items():
        source = sorted(FORMAT_SPEC.findall(entry["msgid_plural"] or msgid))
        for translation in entry["msgstr"].values():
            assert sorted(FORMAT_SPEC.findall(translation)) == source, (msgid, translation)


def test_translations_are_in_ukrainian(messages):
    # A msgstr copied from the English source is the usual way an entry slips through.
    allowed_as_is = {"HTML", "CSS"}
    copied = [
        msgid
        for (_, msgid), e in messages.items()
        if msgid not in allowed_as_is and e["msgstr"].get(0) == msgid
    ]
    assert copied == []


@pytest.mark.parametrize(("english", "ukrainian"), GLOSSARY.items())
def test_glossary_terms_are_translated_as_agreed(messages, english, ukrainian):
    assert messages[(None, english)]["msgstr"][0] == ukrainian


@pytest.mark.parametrize(("english", "ukrainian"), TERMS_IN_CONTEXT.items())
def test_glossary_terms_read_the_same_inside_longer_messages(messages, english, ukrainian):
    using = [e for (_, msgid), e in messages.items() if english in msgid and msgid != english]
    assert using, f"no longer message mentions {english!r}"
    for entry in using:
        assert ukrainian in entry["msgstr"][0], (entry["msgid"], entry["msgstr"][0])


@pytest.fixture
def compiled_locale(settings, tmp_path):
    """The catalogue as it is in the tree, compiled with `msgfmt --check` for this test."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt is missing: apt-get install gettext (make installs it)")
    target = tmp_path / "locale" / "uk" / "LC_MESSAGES"
    target.mkdir(parents=True)
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(target / "django.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # Changing LOCALE_PATHS makes Django drop its cached catalogues (setting_changed).
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    return target


def test_products_tab_in_ukrainian(client, alice, contact, access, compiled_locale):
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "uk"
    url = reverse("staff:contact_products", args=[contact.project.slug, contact.public_id])

    html = client.get(url).content.decode()

    assert '<html lang="uk">' in html
    assert "Продукти" in html
    assert "Видати зараз" in html
    assert "очікує, курс не завершено" in html
    assert "Issue now" not in html
    assert "Products" not in html


def test_products_tab_stays_english_without_a_choice(
    client, alice, contact, access, compiled_locale
):
    client.force_login(alice)

    html = client.get(
        reverse("staff:contact_products", args=[contact.project.slug, contact.public_id]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "Issue now" in html
    assert "Видати зараз" not in html


def test_language_switcher_sets_ukrainian(client, alice, contact, access, compiled_locale):
    client.force_login(alice)
    url = reverse("staff:contact_products", args=[contact.project.slug, contact.public_id])

    response = client.post(reverse("set_language"), {"language": "uk", "next": url})

    assert response.status_code == 302
    assert response.url == url
    assert "Видати зараз" in client.get(url).content.decode()
