"""`make bench`'s three commands, run small: each reports its data, timings and query
counts on the synthetic cases, and the import benchmark leaves the database as it was."""

import io
import json

import pytest
from django.core.management import call_command

from casefile.api import records
from casefile.api.models import CaseRecord
from casefile.cases import visibility
from casefile.cases.models import Case
from casefile.cases.synthetic import generate
from casefile.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def synthetic(settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    generate(40, seed=5)
    return Case.objects.count()


def run(command, **options) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def test_bench_pages_prints_timings_and_query_counts(synthetic):
    table = run("bench_pages", cases=synthetic, repeat=2)
    assert f"{synthetic:,} cases" in table and "load average" in table
    for label in ("pinyin name", "Chinese name, 2 chars", "full text", "two facets",
                  "unfiltered + all facets"):  # fmt: skip
        assert label in table
    row = next(line for line in table.splitlines() if line.startswith("unfiltered"))
    warm, uncached = row.split()[-1].split("/")
    assert int(warm) < int(uncached)  # caching saves queries
    assert "do not grow with results" in table


def test_bench_api_uses_the_same_data_and_counts_queries(synthetic):
    report = run("bench_api", cases=synthetic, requests=3, part="latency")
    assert f"{synthetic:,} cases" in report
    assert "filtered list page" in report and "case detail" in report
    assert "list pages: the same at any page size and number of results" in report
    assert "search feed (Atom, 50 entries)" in report and "reconcile, batch of 100" in report


@pytest.mark.parametrize(
    ("fmt", "rows"),
    [
        ("persons", lambda: visibility.public_people().count()),
        ("sources", lambda: visibility.public_captures().count()),
        ("citations", lambda: visibility.public_citations().count()),
    ],
)
def test_bench_api_times_each_new_export(synthetic, fmt, rows):
    figures = json.loads(run("bench_api", part="export", format=fmt).splitlines()[-1])
    assert figures["cases"] == rows() > 0
    assert figures["rate"] > 0 and figures["peak_rss_mb"] >= figures["rss_before_mb"] > 0


def test_bench_api_export_part_reports_throughput_and_memory(synthetic):
    figures = json.loads(run("bench_api", part="export", format="csv").splitlines()[-1])
    assert figures["cases"] == Case.objects.published().count()
    assert figures["rate"] > 0 and figures["peak_rss_mb"] >= figures["rss_before_mb"] > 0


def test_bench_api_ndjson_export_first_forgets_the_stored_records(synthetic):
    published = Case.objects.published().count()
    CaseRecord.objects.bulk_create(
        CaseRecord(case=case, updated_at=case.updated_at, format="old", record="{}")
        for case in Case.objects.all()
    )
    figures = json.loads(
        run("bench_api", part="export", format="ndjson", forget_records=True).splitlines()[-1]
    )
    assert figures["cases"] == published and figures["rate"] > 0
    assert set(CaseRecord.objects.values_list("format", flat=True)) == {
        records.record_format(records.url_prefixes(None))
    }
    assert CaseRecord.objects.count() == published


def test_bench_import_times_each_stage_and_leaves_the_data_as_it_was(synthetic):
    before = (Case.objects.count(), Person.objects.count())
    report = run("bench_import", rows=30, cases=synthetic)
    for stage in ("dry run", "import", "re-import", "update"):
        assert f"{stage}:" in report
    assert "30 rows" in report
    assert "dry run of a 25-row file" in report and "SQL statements" in report
    assert (Case.objects.count(), Person.objects.count()) == before


def test_bench_peer_builds_the_peers_database_from_the_csv_export(synthetic, tmp_path):
    """bench_peer's own parts, without its servers: the SQLite file Datasette serves holds
    every published case with an FTS5 index Datasette finds, and each query family has
    the distinct queries asked for."""
    import sqlite3

    from datasette.utils import detect_fts

    from casefile.cases.management.commands.bench_peer import Command

    command = Command(stdout=io.StringIO())
    database = command.sqlite_database(tmp_path, synthetic)
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT count(*) FROM cases").fetchone()[0] == (
        Case.objects.published().count()
    )
    assert detect_fts(connection, "cases") == "cases_fts"
    assert connection.execute(
        "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'listed'"
    ).fetchone()[0]
    families = command.families(database, 5)
    assert len(families) == 11
    for family, queries in families.items():
        assert len(set(queries)) == 5, family


def test_bench_workflow_publishes_complete_drafts_in_bulk_and_rolls_back(synthetic):
    before = (Case.objects.count(), Case.objects.published().count())
    report = run("bench_workflow", drafts=30, cases=synthetic)
    assert "submit and publish: 30 drafts" in report and "30 published" in report
    assert "50 of 50 published in all" in report
    assert (Case.objects.count(), Case.objects.published().count()) == before


def test_bench_captures_prints_extraction_quote_check_and_verify_figures(settings, tmp_path):
    table = run("bench_captures", repeat=1, citations=4, verify_mb=32, size_mb=0.2)
    for label in ("PDF, 100 pages of text and photos", "HTML page", "Quote check of a case's 4",
                  "verify_captures on local storage", "load average"):  # fmt: skip
        assert label in table
    assert "(extracted," in table
    from casefile.sources.models import CaptureFile

    assert not CaptureFile.objects.exists()  # its rows were rolled back
