"""The Spanish catalogue ships complete: every entry translated, the placeholders kept, and the compiled .mo (in the
repository, since CI may have no gettext) the same as the .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from iptcare.portal.models import ClientAccount

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def read_po(path: Path) -> dict[str, list[str]]:
    """{msgid: [msgstr, ...]} of a .po file (plural forms as a list), skipping the header."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            if line.startswith("#"):
                assert not line.startswith("#, fuzzy"), block
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries[fields["msgid"]] = [value for key, value in sorted(fields.items()) if key.startswith("msgstr")]
    return entries


def test_every_entry_is_translated_with_its_placeholders() -> None:
    entries = read_po(LOCALE / "django.po")
    assert len(entries) > 250
    for msgid, translations in entries.items():
        assert translations and all(translations), f"untranslated: {msgid!r}"
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) <= set(PLACEHOLDER.findall(msgid)) | {"count"}, msgid


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for msgid, translations in read_po(LOCALE / "django.po").items():
        if len(translations) == 1:
            assert catalog.gettext(msgid) == translations[0], msgid
        else:
            assert catalog.ngettext(msgid, "", 1) == translations[0], msgid


@pytest.mark.django_db
def test_no_english_is_left_on_the_spanish_pages(
    fern_account: ClientAccount, fern_http: HttpClient, phq9_due: None, progress_on: object
) -> None:
    fern_account.language = "es"
    fern_account.save()
    words = "the|your|you|and|with|today|sign|call|text|help|save|send|optional|settings|contacts|waiting"
    english = re.compile(rf"\b({words})\b", re.I)
    for url in ("/me/", "/me/check-in/", "/me/plan/", "/me/contacts/", "/me/progress/", "/me/settings/"):
        html = fern_http.get(url).content.decode()
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|svg).*?</\1>", " ", html, flags=re.S))
        # Names and the 988 line's proper name are not words to translate.
        text = text.replace("Big sister", "")
        assert not english.search(text), (url, english.search(text).group(0), text[:2000])
