"""Bounded work: PostgreSQL's statement_timeout on web requests (a page or API call whose
statement runs too long answers 503), a longer one for exports and imports, none of ours
for management commands."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.http import JsonResponse
from django.urls import path, reverse
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

import casefile.urls
from casefile.api import records
from casefile.cases import exports
from casefile.cases.models import Case
from casefile.editorial import importer
from casefile.editorial.importing.writing import Writer
from tests.factories import make_case
from tests.test_import import LIU_HU, csv_file


def show_timeout(cursor=None) -> str:
    if cursor is None:
        with connection.cursor() as cursor:
            return show_timeout(cursor)
    cursor.execute("SHOW statement_timeout")
    return cursor.fetchone()[0]


def sleep(seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])


def slow_page(request):
    sleep(3)
    return JsonResponse({"slept": True})


def timeout_page(request):
    return JsonResponse({"statement_timeout": show_timeout()})


@api_view(["GET"])
@permission_classes([AllowAny])
def slow_api(request, version):
    sleep(3)
    return Response({"slept": True})


urlpatterns = [
    path("test/slow/", slow_page),
    path("test/timeout/", timeout_page),
    path("api/<str:version>/test/slow/", slow_api),
    *casefile.urls.urlpatterns,
]


@pytest.fixture
def tiny_web_timeout(settings):
    settings.WEB_STATEMENT_TIMEOUT = 0.2


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_web_request_runs_with_the_web_timeout_and_gives_it_back(client, settings):
    settings.WEB_STATEMENT_TIMEOUT = 7
    before = show_timeout()
    assert before != "7s"
    assert client.get("/test/timeout/").json() == {"statement_timeout": "7s"}
    assert show_timeout() == before  # the connection is as it was for whatever runs next


# Transactional, as a server runs: no test transaction for the canceled statement to abort.
@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_page_whose_statement_runs_too_long_answers_503(client, tiny_web_timeout):
    started = time.monotonic()
    response = client.get("/test/slow/")
    assert time.monotonic() - started < 2  # canceled at the timeout, not after the sleep
    assert response.status_code == 503
    assert "The request took too long" in response.text


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_an_api_call_whose_statement_runs_too_long_answers_503_in_the_error_shape(
    client, tiny_web_timeout
):
    started = time.monotonic()
    response = client.get("/api/v1/test/slow/")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == 503 and body["code"] == "timeout"
    assert "took too long" in body["detail"]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_management_commands_run_without_the_web_timeout(client, tiny_web_timeout, capsys):
    client.get("/test/timeout/")  # a web request on this thread's connection first
    call_command(
        "shell",
        command="from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SELECT pg_sleep(0.5)')\n"
        "print('slept')",
    )
    assert "slept" in capsys.readouterr().out


@pytest.mark.django_db
def test_imports_run_with_the_import_timeout_from_the_page_and_the_command(
    as_editor, settings, monkeypatch, tmp_path
):
    settings.WEB_STATEMENT_TIMEOUT = 3
    settings.IMPORT_STATEMENT_TIMEOUT = 7
    seen = []
    run = Writer.run

    def run_and_look(writer):
        seen.append(show_timeout())
        run(writer)

    monkeypatch.setattr(Writer, "run", run_and_look)
    upload = SimpleUploadedFile("cases.csv", csv_file(LIU_HU), content_type="text/csv")
    response = as_editor.post(reverse("admin:cases_case_import"), {"file": upload})
    assert "1 case(s) were created" in response.text
    file = tmp_path / "cases.csv"
    file.write_bytes(csv_file({**LIU_HU, "occupation": "writer"}))
    call_command("import_cases", str(file), stdout=io.StringIO())
    assert seen == ["7s", "7s"]


@pytest.mark.django_db
def test_an_import_that_runs_too_long_is_stopped_with_a_clear_message(settings, monkeypatch):
    settings.IMPORT_STATEMENT_TIMEOUT = 0.2
    monkeypatch.setattr(Writer, "run", lambda writer: sleep(3))
    started = time.monotonic()
    with pytest.raises(importer.ImportFileError, match=r"took too long.*Split the file"):
        importer.import_cases(data=csv_file(LIU_HU), filename="cases.csv", dry_run=False)
    assert time.monotonic() - started < 2
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_exports_read_and_store_with_the_export_timeout(client, settings, monkeypatch):
    """The streamed body runs after the request's own timeout was reset: its reader
    connections and the NDJSON record store run with EXPORT_STATEMENT_TIMEOUT."""
    settings.WEB_STATEMENT_TIMEOUT = 3
    settings.EXPORT_STATEMENT_TIMEOUT = 7
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    for _ in range(5):
        make_case()
    seen = []
    build, store = records.StoredRecords.chunk, records.StoredRecords.store

    def build_and_look(stored, cursor, ids):
        seen.append(("read", show_timeout(cursor)))
        return build(stored, cursor, ids)

    def store_and_look(stored, cursor, built):
        seen.append(("store", show_timeout(cursor)))
        return store(stored, cursor, built)

    monkeypatch.setattr(records.StoredRecords, "chunk", build_and_look)
    monkeypatch.setattr(records.StoredRecords, "store", store_and_look)
    response = client.get("/api/v1/exports/cases.ndjson")
    assert len(b"".join(response.streaming_content).splitlines()) == 5
    assert set(seen) == {("read", "7s"), ("store", "7s")}
    assert len(seen) == 6  # three chunks read, three stored
