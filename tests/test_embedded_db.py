"""The embedded server: reused when running, one clear sentence when it cannot start."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from casefile import embedded_db

ROOT = Path(__file__).resolve().parent.parent


def test_a_server_that_cannot_start_is_explained_in_one_sentence(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    env = {**os.environ, "CASEFILE_DATA_DIR": str(blocked), "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "The embedded PostgreSQL server in" in message
    assert "could not start" in message
    assert "DATABASE_URL" in message


def test_cli_reports_status(tmp_path):
    env = {**os.environ, "CASEFILE_DATA_DIR": str(tmp_path / "none")}
    result = subprocess.run(
        [sys.executable, "-m", "casefile.embedded_db", "status"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.stdout.strip() == "stopped"


def test_running_server_is_reused():
    first = embedded_db.socket_dir()
    embedded_db.socket_dir.cache_clear()
    assert embedded_db.socket_dir() == first
    assert embedded_db.is_running()
    assert stat.S_ISSOCK(os.stat(Path(first) / ".s.PGSQL.5432").st_mode)
