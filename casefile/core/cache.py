"""Django's database cache, writing in one statement.

Django's DatabaseCache counts the whole table and reads the key before every write
(four or five queries, and a full count that grows with the table). On PostgreSQL one
INSERT … ON CONFLICT does the same, and expired entries are swept now and then instead
of on every write. Shared by every server process, and needs no service beyond the
database, so a fresh machine runs it as is.
"""

import base64
import pickle
import random
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone

# About one write in this many also deletes the expired entries.
SWEEP_ONE_WRITE_IN = 200


class PostgresCache(DatabaseCache):
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._write(key, value, timeout, version, only_if_absent=False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write(key, value, timeout, version, only_if_absent=True)

    def _write(self, key, value, timeout, version, *, only_if_absent: bool) -> bool:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        expires = (
            datetime.max.replace(tzinfo=UTC)
            if timeout is None
            else (datetime.fromtimestamp(timeout, tz=UTC))
        )
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        connection = connections[router.db_for_write(self.cache_model_class)]
        table = connection.ops.quote_name(self._table)
        # add() replaces only an expired entry; set() replaces any.
        replace_when = f"WHERE {table}.expires < %s" if only_if_absent else ""
        now = timezone.now()
        sweep = random.randrange(SWEEP_ONE_WRITE_IN) == 0
        with connection.cursor() as cursor:
            # The sweep rides in the same statement (never the key written), so a request
            # costs the same number of statements whether it sweeps or not.
            cursor.execute(
                f"WITH swept AS (DELETE FROM {table} WHERE %s AND expires < %s "
                f"AND cache_key <> %s) "
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
                f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, "
                f"expires = EXCLUDED.expires {replace_when} RETURNING 1",
                [sweep, now, key, key, encoded, expires.replace(microsecond=0)]
                + ([now] if only_if_absent else []),
            )
            written = cursor.fetchone() is not None
        return written
