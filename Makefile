# Casefile: `make run` serves the archive, `make test` runs the whole suite.
# Both bootstrap everything they need (virtualenv, packages, database).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
INSTALLED := $(VENV)/.installed

.PHONY: help install run test stop admin lint format bench bench-db bench-pages bench-api bench-import bench-peer bench-workflow bench-captures bench-stats browser backup restore

help:
	@echo "make run     serve Casefile on http://127.0.0.1:$(PORT) (PORT=8001 to change)"
	@echo "make test    run the whole test suite"
	@echo "make stop    stop the embedded PostgreSQL server"
	@echo "make admin   create an administrator account for the editing side"
	@echo "make backup DIR=…    snapshot the database and the kept files into a new folder"
	@echo "make restore DIR=…   rebuild an empty database and file store from a backup"
	@echo "make lint    ruff check and format check"
	@echo "make bench   the benchmarks below, at N cases (default 100000; make bench N=1000000)"
	@echo "make bench-pages   search pages at N synthetic cases (benchmark database casefile_bench_N)"
	@echo "make bench-api     the API and its exports at the same N cases"
	@echo "make bench-stats   /stats/ over HTTP at N cases: filter-only, text search, unfiltered, after a publication"
	@echo "make bench-import  importing 100,000 spreadsheet rows beside them: dry run, import, re-import"
	@echo "make bench-peer    Casefile (gunicorn) against Datasette on the same cases, side by side"
	@echo "make bench-workflow  a reviewer's bulk submit-and-publish of 1,000 complete drafts beside them"
	@echo "make bench-captures  text extraction, quote checks and verify_captures throughput"

# The virtualenv is rebuilt only when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	@$(BIN)/python -m casefile.core.portcheck $(PORT)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo --if-empty
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Browser tests drive Debian's Chromium; install it on a fresh machine when we can.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else \
	    echo "The browser tests need Chromium: run 'sudo apt-get install chromium'." >&2; exit 1; \
	  fi; }

test: $(INSTALLED) browser
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

stop:
	@test -x $(BIN)/python && $(BIN)/python -m casefile.embedded_db stop || true

admin: $(INSTALLED)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py createsuperuser

# A snapshot of the database and the kept files (manage.py backup), and back (restore:
# into an empty database, e.g. CASEFILE_DB_NAME=casefile_restored make restore DIR=…).
backup: $(INSTALLED)
	@test -n "$(DIR)" || { echo "usage: make backup DIR=/path/to/a/new/folder" >&2; exit 2; }
	DEBUG=1 $(BIN)/python manage.py backup "$(DIR)"

restore: $(INSTALLED)
	@test -n "$(DIR)" || { echo "usage: make restore DIR=/path/to/a/backup" >&2; exit 2; }
	DEBUG=1 $(BIN)/python manage.py restore "$(DIR)"

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks: one database per size on the same embedded server, casefile_bench_<N>,
# filled once with `generate_cases N` by whichever benchmark runs first and reused by
# the others; the dev database is never touched. Each target also runs alone.
N ?= 100000
BENCH_ENV = CASEFILE_DB_NAME=casefile_bench_$(N) DEBUG=0 SECRET_KEY=bench-only-not-a-secret \
	ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0

bench: bench-pages bench-api bench-import bench-workflow bench-captures bench-stats

bench-db: $(INSTALLED)
	@$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v0

bench-pages: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_pages --cases $(N) $(BENCH_ARGS)

# DATABASE_URL=postgres://… make bench-stats runs on that server's database instead.
bench-stats: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_stats --cases $(N) $(BENCH_STATS_ARGS)

bench-api: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_api --cases $(N) $(BENCH_API_ARGS)

# A deterministic 100,000-row CSV (format version 2, the optional columns filled),
# imported beside the N synthetic cases, after the dry run of a 25-row file: dry run,
# import and re-imports are timed in one transaction that is rolled back, then the
# tables are vacuumed. ROWS=10000 make bench-import for a quick run.
ROWS ?= 100000
bench-import: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_import --rows $(ROWS) --cases $(N)

# Casefile under gunicorn (production settings, plain HTTP, a raised anonymous throttle)
# against Datasette (the dev extra) serving the same cases from Casefile's CSV export in
# SQLite with FTS5 and indexes; every query family both ways, alternating, cold and warm.
# BENCH_PEER_ARGS="--queries 30 --repeat 5" for more requests.
bench-peer: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_peer --cases $(N) $(BENCH_PEER_ARGS)

# 1,000 complete drafts imported, then submitted and published by a reviewer in one bulk
# step (services.take_step), beside the N synthetic cases; rolled back.
DRAFTS ?= 1000
bench-workflow: bench-db
	$(BENCH_ENV) $(BIN)/python manage.py bench_workflow --drafts $(DRAFTS) --cases $(N)

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Kept files: extracting a 2 MB PDF and HTML page, checking every quote of a case, and
# verify_captures' throughput, in a database and file store of their own (removed after).
bench-captures: $(INSTALLED)
	$(BENCH_ENV) CASEFILE_DB_NAME=casefile_bench_captures $(BIN)/python manage.py migrate --noinput -v0
	$(BENCH_ENV) CASEFILE_DB_NAME=casefile_bench_captures $(BIN)/python manage.py bench_captures
