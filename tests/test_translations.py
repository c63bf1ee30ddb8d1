"""The catalogues: every string translated (none missing, empty or fuzzy) in every .po
file of the project, the committed .mo files compiled from their .po, and no marked
string of the code or templates missing from the catalogues."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    path
    for path in (ROOT / "casefile").rglob("locale/*/LC_MESSAGES/django.po")
    if ".venv" not in path.parts
)


def entries(path: Path):
    with path.open("rb") as file:
        catalogue = read_po(file, locale="zh_Hans")
    return [message for message in catalogue if message.id]


def test_there_is_a_chinese_catalogue():
    assert ROOT / "casefile/locale/zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated_and_none_is_fuzzy(path):
    untranslated, fuzzy = [], []
    for message in entries(path):
        strings = [message.string] if isinstance(message.string, str) else message.string
        if not strings or not all(s.strip() for s in strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"Untranslated in {path}: {untranslated}"
    assert not fuzzy, f"Fuzzy in {path}: {fuzzy}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_committed_mo_file_is_its_po_file_compiled(path, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(path)], check=True)
    with compiled.open("rb") as fresh, path.with_suffix(".mo").open("rb") as committed:
        fresh_messages = {repr((m.id, m.context)): repr(m.string) for m in read_mo(fresh)}
        committed_messages = {repr((m.id, m.context)): repr(m.string) for m in read_mo(committed)}
    assert committed_messages == fresh_messages, f"Run compilemessages: {path}"


def test_makemessages_finds_no_string_missing_from_the_catalogues(tmp_path, settings):
    """Every string marked in the code and templates (another app's too, whatever
    catalogue it has) is in a catalogue: makemessages into a copy finds nothing new."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".data", ".git", "node_modules", "__pycache__"),
    )
    known = set()
    for path in CATALOGUES:
        known |= {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in entries(path)}
    settings.LOCALE_PATHS = [copy / "casefile" / "locale"]
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=["tests/*"], verbosity=0)
    finally:
        os.chdir(cwd)
    found = set()
    for path in copy.rglob("locale/*/LC_MESSAGES/django.po"):
        found |= {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in entries(path)}
    missing = found - known
    assert not missing, f"Strings missing from the catalogues (run makemessages): {missing}"
