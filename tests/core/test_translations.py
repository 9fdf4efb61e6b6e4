"""Every string of the UI and of emails is translated into every supported language.

The test extracts the messages from a copy of the package exactly as `make translations`
does (Django's makemessages, which merges the committed catalogues), and fails on any
message without a translation or marked fuzzy: a new string must come with its
translations.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "fortresa"
LOCALES = {"fr": "fr", "de": "de", "nl": "nl", "sv": "sv", "zh-hans": "zh_Hans"}
pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools missing")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("i18n") / "fortresa"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    args = [f"--locale={name}" for name in LOCALES.values()]
    for domain in ("django", "djangojs"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                *args,
                f"--domain={domain}",
                "--no-obsolete",
                "--no-location",
                "--ignore=migrations/*",
            ],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return copy


def test_every_supported_language_has_a_catalogue() -> None:
    codes = {code for code, _name in settings.LANGUAGES} - {"en"}
    assert codes == set(LOCALES)
    for directory in LOCALES.values():
        assert (PACKAGE / "locale" / directory / "LC_MESSAGES" / "django.po").is_file()


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_catalogue_translates_every_message(extracted: Path, language: str) -> None:
    catalogue = polib.pofile(
        str(extracted / "locale" / LOCALES[language] / "LC_MESSAGES" / "django.po")
    )
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_translations_keep_the_placeholders(language: str) -> None:
    po_path = PACKAGE / "locale" / LOCALES[language] / "LC_MESSAGES" / "django.po"
    for entry in polib.pofile(str(po_path)).translated_entries():
        # A singular form may drop the count ("one booking"); the last plural form may not.
        source = entry.msgid_plural or entry.msgid
        translated = (
            entry.msgstr_plural[max(entry.msgstr_plural)] if entry.msgid_plural else entry.msgstr
        )
        for placeholder in _placeholders(source):
            assert placeholder in translated, f"{language}: {entry.msgid!r} lost {placeholder}"


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}", text))
