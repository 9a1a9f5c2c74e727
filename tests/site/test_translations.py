"""The site ships in Russian as well as English, and stays complete: every string is
translated (not fuzzy, placeholders kept), the catalogue matches what the code and templates
mark for translation today, and a Russian page shows no English interface text."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

# The same options as `make messages`.
MAKEMESSAGES_OPTIONS: dict[str, Any] = {
    "locale": ["ru"],
    "domain": "django",
    "no_obsolete": True,
    "add_location": "file",
    "ignore_patterns": [".venv/*", "node_modules/*", "staticfiles/*", "tests/*", "bench/*"],
    "verbosity": 0,
}
RUSSIAN_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# %(name)s and its variants (%(share).1f), a literal %% in python-format strings,
# {{ var }} and {name}.
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]|%%|\{\{\s*[\w.]+\s*\}\}|\{\w+\}")
# Interface text that must never be left in English on a Russian page.
KNOWN_ENGLISH = [
    "Find your neighbourhood team",
    "Find your neighbourhood",
    "All neighbourhoods",
    "Skip to content",
    "Staff sign in",
    "Use my location",
    "Or pick from the list",
    "How to reach the team",
    "Non-emergency telephone",
    "Your neighbourhood team",
    "Meet the team",
    "Our commitment to you",
    "Subscribe to the calendar",
    "Promised per month",
    "Delivered last month",
    "call the emergency number",
]
# The templates that make up the public pages checked below.
PUBLIC_TEMPLATES = (
    "ourbeat/templates/base.html",
    "ourbeat/templates/places/",
    "ourbeat/templates/teams/team",
    "ourbeat/templates/teams/upcoming",
    "ourbeat/templates/teams/visibility",
)


def committed_catalogue_path() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"


def committed_catalogue() -> polib.POFile:
    return polib.pofile(str(committed_catalogue_path()))


def placeholders(text: str) -> set[str]:
    return {re.sub(r"\s+", "", found) for found in PLACEHOLDER.findall(text)}


def keys(catalogue: polib.POFile) -> set[tuple[str | None, str, str]]:
    return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in catalogue}


def visible_text(response: Any) -> str:
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(content))


def test_the_russian_catalogue_declares_russian_and_its_three_plural_forms() -> None:
    catalogue = committed_catalogue()
    assert catalogue.metadata["Language"] == "ru"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == RUSSIAN_PLURAL_FORMS.replace(
        " ", ""
    )
    assert not catalogue.metadata_is_fuzzy


def test_every_russian_entry_is_translated_and_none_is_fuzzy_or_obsolete() -> None:
    catalogue = committed_catalogue()
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    obsolete = [entry.msgid for entry in catalogue.obsolete_entries()]
    incomplete_plurals = [
        entry.msgid
        for entry in catalogue
        if entry.msgid_plural
        and (len(entry.msgstr_plural) != 3 or not all(entry.msgstr_plural.values()))
    ]
    assert untranslated == [], "untranslated Russian entries"
    assert fuzzy == [], "fuzzy Russian entries: check them and remove the fuzzy flag"
    assert obsolete == [], "obsolete Russian entries: run `make messages`"
    assert incomplete_plurals == [], "Russian plural entries need all three forms"


def test_every_russian_translation_keeps_the_placeholders_of_its_original() -> None:
    mismatches = []
    for entry in committed_catalogue().translated_entries():
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            translations = list(entry.msgstr_plural.values())
        else:
            expected = placeholders(entry.msgid)
            translations = [entry.msgstr]
        for translation in translations:
            if placeholders(translation) != expected:
                mismatches.append((entry.msgid, translation))
    assert mismatches == []


def test_the_russian_catalogue_holds_exactly_the_strings_marked_for_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # makemessages writes a file's strings into the nearest `locale` directory it walks
    # past (ourbeat/locale for everything under ourbeat/), else into the first of
    # LOCALE_PATHS: skipping `locale` directories sends them all to the temporary copy and
    # leaves the committed catalogue alone.
    options = {
        **MAKEMESSAGES_OPTIONS,
        "ignore_patterns": [*MAKEMESSAGES_OPTIONS["ignore_patterns"], "locale"],
    }
    monkeypatch.chdir(settings.BASE_DIR)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("makemessages", **options)
    current = keys(polib.pofile(str(tmp_path / "ru" / "LC_MESSAGES" / "django.po")))
    committed = keys(committed_catalogue())
    new = sorted(key[1] for key in current - committed)
    gone = sorted(key[1] for key in committed - current)
    assert (new, gone) == ([], []), (
        "The Russian catalogue is out of date: run `make messages` and translate the new "
        f"strings. New: {new}; no longer used: {gone}"
    )


def test_the_russian_home_page_shows_no_english_interface_text(client_for: Any) -> None:
    response = client_for(None).get("/ru/")
    assert response.status_code == 200
    text = visible_text(response)
    assert "Найдите команду участковых своего района" in text
    assert [english for english in KNOWN_ENGLISH if english in text] == []


@pytest.mark.parametrize("page", ["/ru/", "/ru/n/{slug}/", "/ru/n/{slug}/team/"])
def test_a_russian_public_page_shows_none_of_the_catalogued_english_sentences(
    client_for: Any, town: Any, page: str
) -> None:
    """Every phrase (of two or more words) that the public templates mark for translation
    is shown in Russian: this also catches a compiled catalogue (.mo) older than the .po
    (`manage.py compile_translations`)."""
    response = client_for(None).get(page.format(slug=town.home.slug))
    assert response.status_code == 200
    text = visible_text(response)
    phrases = [
        entry.msgid
        for entry in committed_catalogue()
        if not entry.msgid_plural
        and len(entry.msgid.split()) >= 2
        and not placeholders(entry.msgid)
        and any(path.startswith(PUBLIC_TEMPLATES) for path, _line in entry.occurrences)
    ]
    assert len(phrases) > 10
    assert [phrase for phrase in phrases if phrase in text] == []
