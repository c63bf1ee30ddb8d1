"""`make bench-peer`: Casefile and Datasette side by side on the same published cases.

1. The benchmark database's synthetic cases (casefile.cases.benchmark) are exported with
   Casefile's own CSV export (/api/v1/exports/cases.csv) and loaded into SQLite: one
   table `cases` keyed by the public id, an index on every column the queries filter
   on, and an FTS5 index of its text columns (Datasette finds it and offers `_search`).
   The file is rebuilt only when the export changed.
2. Casefile runs under gunicorn (2 workers) with the production settings, except
   SECURE_SSL_REDIRECT=0 (plain HTTP on the loopback) and a raised anonymous throttle;
   Datasette (the dev extra) serves the SQLite file with its time limits raised, so it
   answers every query in full rather than cutting it off.
3. Each family of queries (at least 20 distinct queries each) is run against both,
   alternating: each query's first request ("cold": Casefile's cache emptied before
   the run, no query seen before) in turn on each server, then --repeat more of each
   ("warm"). Times are of the whole HTTP request from this process.

Every server started here is stopped on the way out, whatever happens.
"""

from __future__ import annotations

import csv
import http.client
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings

from casefile.cases.benchmark import dataset, ensure_synthetic_cases, machine, percentiles
from casefile.cases.models import Case

FACETS = ("restriction", "offence", "province", "list", "status", "notified")
# Datasette's facets: the same columns of the CSV.
PEER_FACETS = ("offence", "province", "list", "status", "notified")
TEXT_COLUMNS = ("person", "authority", "authority_original", "province", "city", "offence",
                "restrictions", "reason_original", "reason_en", "summary", "docket_number")  # fmt: skip
INDEXED_COLUMNS = ("person", "list", "offence", "province", "status", "notified", "listed")
# Words both servers can find (in the CSV's summary, stated reason and restrictions, so
# in Casefile's search text too), from about one case in fifty to more than one in two.
WORDS = [
    "defamation",
    "ringback",
    "theft",
    "shaming",
    "civil",
    "fine",
    "school",
    "rent",
    "costs",
    "abroad",
    "dispute",
    "evidence",
    "consumption",
    "settlement",
    "hotels",
    "property",
    "assets",
    "loans",
    "repay",
    "travel",
]
PROVINCES = ["guangdong", "henan", "shandong", "jiangsu", "zhejiang", "sichuan", "hubei", "hunan",
             "anhui", "hebei", "fujian", "beijing"]  # fmt: skip
RESTRICTIONS = ["air_travel", "high_speed_rail", "loans_credit", "property_purchase",
                "luxury_hotels", "travel_abroad"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(command: list[str], env: dict, port: int, label: str, log: Path):
    """A server process, waited for until it answers, and stopped (its whole process
    group) on the way out."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{label} stopped at start; see {log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{label} did not start; see {log}") from None
                time.sleep(0.2)
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


class Timer:
    """Requests to one server over one kept-alive connection."""

    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.port, self.host = port, host
        self.connection = http.client.HTTPConnection(host, port, timeout=120)

    def get(self, path: str) -> float:
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.connection.request("GET", path, headers={"Host": "127.0.0.1"})
                response = self.connection.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt:
                    raise
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        return elapsed


class Command(BaseCommand):
    help = "Benchmark Casefile against Datasette on the benchmark database's cases."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--queries", type=int, default=20, help="distinct queries a family")
        parser.add_argument("--repeat", type=int, default=3, help="warm requests a query")

    def handle(self, *args, cases, seed, queries, repeat, **options):
        ensure_synthetic_cases(cases, seed=seed, stdout=self.stdout)
        folder = Path(settings.BASE_DIR) / ".data" / "bench-peer" / str(cases)
        folder.mkdir(parents=True, exist_ok=True)
        sqlite_file = self.sqlite_database(folder, cases)
        families = self.families(sqlite_file, queries)
        cache.clear()  # Casefile's cold requests count afresh
        casefile_port, peer_port = free_port(), free_port()
        environment = {
            **os.environ,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "API_THROTTLE_ANON": "100000000/minute",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-not-a-secret",
        }
        environment.pop("STATIC_MANIFEST", None)  # production: the manifest storage
        bin_dir = Path(sys.executable).parent
        # The production static files storage serves hashed names from a manifest.
        subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "collectstatic",
             "--noinput", "-v0"],
            env=environment, check=True,
        )  # fmt: skip
        self.stdout.write(f"\nCasefile vs Datasette: {dataset()}; SQLite {sqlite_file.name}")
        self.stdout.write(f"{machine()}\n")
        with ExitStack() as stack:
            stack.enter_context(
                server(
                    [str(bin_dir / "gunicorn"), "casefile.wsgi", "--workers", "2",
                     "--bind", f"127.0.0.1:{casefile_port}", "--log-level", "warning"],
                    environment, casefile_port, "gunicorn", folder / "gunicorn.log",
                )
            )  # fmt: skip
            stack.enter_context(
                server(
                    [str(bin_dir / "datasette"), "serve", str(sqlite_file), "--port",
                     str(peer_port), "--host", "127.0.0.1", "--setting", "sql_time_limit_ms",
                     "120000", "--setting", "facet_time_limit_ms", "120000", "--setting",
                     "max_returned_rows", "1000", "--setting", "num_sql_threads", "2"],
                    environment, peer_port, "datasette", folder / "datasette.log",
                )
            )  # fmt: skip
            results = self.measure(families, Timer(casefile_port), Timer(peer_port), repeat=repeat)
        self.report(results, queries, repeat)
        self.stdout.write(f"\nDone; {machine()}")

    # -- the peer's database ----------------------------------------------------------

    def sqlite_database(self, folder: Path, cases: int) -> Path:
        """Casefile's CSV export of every published case, in SQLite with FTS5 and indexes
        (rebuilt when the export differs from the one it was built from)."""
        csv_file = folder / "cases.csv"
        sqlite_file = folder / "cases.db"  # Datasette serves it as /cases/
        client = Client(HTTP_HOST="localhost")
        rates = {"anonymous": "100000000/minute", "token": "100000000/minute"}
        with override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
            ALLOWED_HOSTS=["localhost"],
        ):
            response = client.get("/api/v1/exports/cases.csv")
            etag = response["ETag"]
            stamp = folder / "cases.etag"
            if sqlite_file.exists() and stamp.exists() and stamp.read_text() == etag:
                for _ in response.streaming_content:
                    break
                return sqlite_file
            started = time.perf_counter()
            with csv_file.open("wb") as output:
                for chunk in response.streaming_content:
                    output.write(chunk)
        self.stdout.write(f"CSV export: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        sqlite_file.unlink(missing_ok=True)
        database = sqlite3.connect(sqlite_file)
        with csv_file.open(newline="", encoding="utf-8") as source:
            reader = csv.reader(source)
            header = next(reader)
            columns = ", ".join(f'"{name}"' + (" PRIMARY KEY" if name == "id" else "")
                                for name in header)  # fmt: skip
            database.execute(f"CREATE TABLE cases ({columns})")
            marks = ", ".join("?" * len(header))
            database.executemany(f"INSERT INTO cases VALUES ({marks})", reader)
        for column in INDEXED_COLUMNS:
            database.execute(f'CREATE INDEX cases_{column} ON cases ("{column}")')
        database.execute('CREATE INDEX cases_province_list ON cases ("province", "listed")')
        text = ", ".join(f'"{column}"' for column in TEXT_COLUMNS)
        database.execute(
            f'CREATE VIRTUAL TABLE cases_fts USING fts5({text}, content="cases", content_rowid=rowid)'
        )
        database.execute("INSERT INTO cases_fts (cases_fts) VALUES ('rebuild')")
        database.execute("ANALYZE")
        database.commit()
        database.close()
        stamp.write_text(etag)
        self.stdout.write(f"SQLite with FTS5 and indexes: {time.perf_counter() - started:.1f} s")
        return sqlite_file

    # -- the queries ------------------------------------------------------------------

    def families(self, sqlite_file: Path, count: int) -> dict[str, list[tuple[str, str]]]:
        """{family: [(Casefile path, Datasette path)]}, count distinct queries each."""
        rng = random.Random(7)
        public = list(
            Case.objects.published()
            .filter(person__privacy="public")
            .values_list("public_id", "person__name_romanized", "person__name_original")[:5000]
        )
        named = rng.sample(public, min(count, len(public)))
        ids = [public_id for public_id, _, _ in rng.sample(public, min(count, len(public)))]
        words = (WORDS * 2)[:count]
        pairs = [(r, p) for r in RESTRICTIONS for p in PROVINCES]
        rng.shuffle(pairs)
        pairs = pairs[:count]
        facets = "&".join(f"_facet={name}" for name in PEER_FACETS)

        def page(params: dict) -> str:
            return "/cases/?" + urlencode(params)

        def api(params: dict) -> str:
            return "/api/v1/cases/?" + urlencode(params)

        def peer(params: dict, json: bool = False, with_facets: bool = True) -> str:
            path = "/cases/cases.json?" if json else "/cases/cases?"
            query = urlencode({**params, "_size": 20})
            return path + query + ("&" + facets if with_facets else "")

        def peer_search(text: str) -> dict:
            # FTS5 phrase query of the words as typed (Datasette's _search)
            return {"_search": text}

        return {
            "HTML: name in pinyin + facets": [
                (page({"q": roman}), peer(peer_search(roman))) for _, roman, _ in named
            ],
            "HTML: name in characters + facets": [
                (page({"q": chinese}), peer(peer_search(chinese))) for _, _, chinese in named
            ],
            "HTML: a word + facets": [(page({"q": w}), peer(peer_search(w))) for w in words],
            "HTML: restriction + province + facets": [
                (
                    page({"restriction": r, "province": p}),
                    peer({"restrictions__contains": r, "province__exact": p}),
                )
                for r, p in pairs
            ],
            "HTML: unfiltered + facets": [
                (
                    page({"page": n}) if n > 1 else "/cases/",
                    peer(
                        {"_sort_desc": "listed", "_next": f"{(n - 1) * 20}"}
                        if n > 1
                        else {"_sort_desc": "listed"}
                    ),
                )
                for n in range(1, count + 1)
            ],
            "HTML: case page": [(f"/cases/{i}/", f"/cases/cases/{quote(i)}") for i in ids],
            "API: name": [
                (api({"q": roman}), peer(peer_search(roman), json=True, with_facets=False))
                for _, roman, _ in named
            ],
            "API: a word": [
                (api({"q": w}), peer(peer_search(w), json=True, with_facets=False)) for w in words
            ],
            "API: two filters": [
                (
                    api({"restriction": r, "province": p}),
                    peer(
                        {"restrictions__contains": r, "province__exact": p},
                        json=True,
                        with_facets=False,
                    ),
                )
                for r, p in pairs
            ],
            "API: facets of a word": [
                (
                    "/api/v1/cases/facets/?" + urlencode({"q": w}),
                    "/cases/cases.json?" + urlencode({"_search": w, "_size": 0}) + "&" + facets,
                )
                for w in words
            ],
            "API: case detail": [
                (f"/api/v1/cases/{i}/", f"/cases/cases/{quote(i)}.json") for i in ids
            ],
        }

    def measure(self, families, casefile: Timer, peer: Timer, *, repeat: int) -> dict:
        results = {}
        for family, queries in families.items():
            times = {("casefile", "cold"): [], ("peer", "cold"): [],
                     ("casefile", "warm"): [], ("peer", "warm"): []}  # fmt: skip
            for n, (ours, theirs) in enumerate(queries):
                order = [("casefile", casefile, ours), ("peer", peer, theirs)]
                if n % 2:
                    order.reverse()  # alternate which server sees a query first
                for name, timer, path in order:
                    times[name, "cold"].append(timer.get(path))
                for _ in range(repeat):
                    for name, timer, path in order:
                        times[name, "warm"].append(timer.get(path))
            results[family] = {key: percentiles(samples) for key, samples in times.items()}
            cold = results[family]
            self.stdout.write(
                f"  {family}: Casefile cold p50 {cold['casefile', 'cold'][0]:.1f} ms, "
                f"Datasette {cold['peer', 'cold'][0]:.1f} ms"
            )
        return results

    def report(self, results: dict, queries: int, repeat: int) -> None:
        self.stdout.write(
            f"\n{queries} distinct queries a family, alternating; cold = each query's first "
            f"request, warm = {repeat} more each. p50 / p95 in ms; ratio = Datasette p95 / "
            "Casefile p95 (above 1: Casefile ahead).\n"
        )
        header = (
            f"{'family':40}{'Casefile cold':>18}{'Datasette cold':>18}{'ratio':>7}"
            f"{'Casefile warm':>18}{'Datasette warm':>18}{'ratio':>7}"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for family, row in results.items():
            cells = []
            for state in ("cold", "warm"):
                ours, theirs = row["casefile", state], row["peer", state]
                cells.append(
                    f"{ours[0]:>8.1f} / {ours[1]:<7.1f}{theirs[0]:>8.1f} / {theirs[1]:<7.1f}"
                    f"{theirs[1] / ours[1]:>7.1f}"
                )
            self.stdout.write(f"{family:40}{cells[0]}{cells[1]}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
