"""Django's PostgreSQL backend, pointed at the embedded server.

The server is started on the first connection, not when settings are read,
so commands that never touch the database (check, collectstatic) never start it.
"""

import psycopg
from django.db.backends.postgresql import base

from casefile import embedded_db


class DatabaseWrapper(base.DatabaseWrapper):
    _database_ensured = False

    def __init__(self, settings_dict, *args, **kwargs):
        super().__init__(settings_dict, *args, **kwargs)
        # Remember the configured name: the test runner later swaps in test_<name>,
        # which it creates itself.
        self._configured_name = settings_dict.get("NAME")

    def get_connection_params(self):
        host = embedded_db.socket_dir()
        self.settings_dict["HOST"] = host
        params = super().get_connection_params()
        params["host"] = host
        if not DatabaseWrapper._database_ensured and params.get("dbname") == self._configured_name:
            self._ensure_database(host, self._configured_name)
        return params

    @staticmethod
    def _ensure_database(host: str, name: str | None) -> None:
        """Create the project's database the first time the server runs."""
        if name and name != "postgres":
            with psycopg.connect(
                host=host, dbname="postgres", user="postgres", autocommit=True
            ) as c:
                exists = c.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if not exists:
                    c.execute(f'CREATE DATABASE "{name}"')
        DatabaseWrapper._database_ensured = True
