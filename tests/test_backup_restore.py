"""`manage.py backup` and `manage.py restore`: the demo archive with kept files, backed
up, restored by the command into a new, empty database and file store on the same server,
gives the same row counts, the same pages and the same file digests."""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import CommandError, call_command

from casefile.cases.demo_loader import load_demo
from casefile.cases.models import Case
from casefile.core.backups import MANIFEST_NAME, Target, row_counts
from casefile.sources.models import CaptureFile, Source, SourceCapture
from tests.capture_support import html, keep, pdf, png, text
from tests.factories import make_capture, make_case, make_citation, make_person, make_source

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent


def body_digest(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return hashlib.sha256(data).hexdigest()


RENDER = """
import hashlib, json, os
from django.test import Client
client = Client()
pages = {}
for url in json.loads(os.environ["PAGES"]):
    response = client.get(url)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    pages[url] = [response.status_code, hashlib.sha256(data).hexdigest()]
print("PAGES=" + json.dumps(pages))
"""


@pytest.fixture
def empty_database():
    """A new database on the test server, dropped afterwards."""
    target = Target.of()
    name = f"test_restore_{uuid.uuid4().hex[:10]}"
    with target.with_database("postgres").connect(autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    yield name
    with target.with_database("postgres").connect(autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment_for(database: str, files: Path) -> dict:
    """This test run's environment, pointed at another database and file store."""
    environment = {**os.environ, "CAPTURE_FILES_DIR": str(files)}
    url = os.environ.get("DATABASE_URL")
    if url:
        parts = urlsplit(url)
        environment["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
    else:
        environment["CASEFILE_DB_NAME"] = database
    return environment


def manage(*arguments, env):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def demo_with_kept_files(make_user):
    reviewer = make_user("reviewer", "rita")
    load_demo()
    article = Source.objects.get()
    first, later = SourceCapture.objects.filter(source=article).order_by("captured_at")
    keep(first, pdf("Chinese blacklist an early glimpse", "（2016）黔0502执2376号"), by=reviewer)
    keep(
        later, html("<p>The judge then required publication of the whole verdict.</p>"), by=reviewer
    )
    keep(later, png(), by=reviewer)
    # And a file the public may download: a public figure's case, its source shared.
    shared = make_capture(make_source(title="A court notice", sharing="public"))
    make_citation(make_case(person=make_person(name_original="谢文", privacy="public")), shared)
    keep(shared, text("列入失信被执行人名单"), by=reviewer)
    return shared


def public_pages(shared_capture) -> list[str]:
    cases = list(Case.objects.published().values_list("public_id", flat=True))
    captures = list(SourceCapture.objects.values_list("pk", flat=True))
    kept = CaptureFile.objects.get(capture=shared_capture)
    return [
        "/",
        "/cases/",
        "/cases/?q=liu+hu",
        "/api/v1/cases/?page_size=100",
        *(f"/cases/{public_id}/" for public_id in cases),
        *(f"/api/v1/cases/{public_id}/" for public_id in cases),
        *(f"/captures/{pk}/" for pk in captures),
        f"/sources/{Source.objects.order_by('pk').first().pk}/",
        f"/captures/{kept.capture_id}/files/{kept.sha256}/",
    ]


def test_a_backup_of_the_demo_restored_into_an_empty_database_is_the_same_archive(
    client, demo_with_kept_files, empty_database, tmp_path
):
    pages = public_pages(demo_with_kept_files)
    before = {}
    for url in pages:
        response = client.get(url)
        before[url] = [response.status_code, body_digest(response)]
    assert all(status == 200 for status, _ in before.values()), before
    digests = sorted(CaptureFile.objects.values_list("sha256", flat=True))

    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["tables"]["cases_case"] == Case.objects.count() == 7
    assert manifest["tables"]["sources_capturefile"] == 4
    assert sorted(entry["sha256"] for entry in manifest["files"]) == digests
    assert manifest["problems"] == []

    restored_files = tmp_path / "restored-files"
    env = environment_for(empty_database, restored_files)
    result = manage("restore", str(folder), env=env)
    assert result.returncode == 0, result.stderr
    assert "row counts and file digests match the manifest" in result.stdout

    target = Target.of().with_database(empty_database)
    with target.connect(autocommit=True) as restored:
        assert row_counts(restored) == manifest["tables"]
    for entry in manifest["files"]:
        stored = (restored_files / entry["name"]).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == entry["sha256"]

    rendered = manage("shell", "-c", RENDER, env={**env, "PAGES": json.dumps(pages)})
    assert rendered.returncode == 0, rendered.stderr
    after = json.loads(rendered.stdout.split("PAGES=", 1)[1])
    assert after == before

    # A second restore into the now full database is refused, changing nothing.
    again = manage("restore", str(folder), env=env)
    assert again.returncode != 0 and "is not empty" in again.stderr


def test_a_backup_goes_into_an_empty_folder_and_a_damaged_one_is_not_restored(
    demo_with_kept_files, empty_database, tmp_path
):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"))
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    damaged = folder / "files" / manifest["files"][0]["name"]
    damaged.write_bytes(damaged.read_bytes() + b"!")
    result = manage("restore", str(folder), env=environment_for(empty_database, tmp_path / "f"))
    assert result.returncode != 0
    assert "does not match its manifest" in result.stderr
    with Target.of().with_database(empty_database).connect(autocommit=True) as untouched:
        assert row_counts(untouched) == {}


def test_a_backup_reports_a_kept_file_the_store_lost(
    demo_with_kept_files, tmp_path, _capture_file_store
):
    lost = CaptureFile.objects.order_by("pk").first()
    (_capture_file_store / lost.storage_name).unlink()
    with pytest.raises(CommandError, match="could not be backed up"):
        call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / MANIFEST_NAME).read_text())
    assert lost.storage_name in manifest["problems"][0]
