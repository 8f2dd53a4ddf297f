"""Chinese is the source language; the English catalogue must cover every string, compiled."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

HUIFANG = Path(__file__).resolve().parents[2]
PO = HUIFANG / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_every_english_entry_is_translated_and_not_fuzzy():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_matches_the_source():
    po = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural
        for e in polib.pofile(str(PO))
        if not e.obsolete
    }
    mo = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(MO)) if e.msgid
    }
    assert mo == po, "run `make messages` to recompile"


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)
def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    # makemessages writes into the app's locale folder: run it on a copy.
    copy = tmp_path / "huifang"
    shutil.copytree(HUIFANG, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run(
        [str(django_admin), "makemessages", "-l", "en", "--no-obsolete", "--no-wrap"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(PO))}
    assert sorted(fresh - known) == []
