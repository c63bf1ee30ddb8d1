"""Django's database sessions, looking up only keys Django could have made.

Django makes session keys of 32 lower-case letters and digits, but reads any cookie of
eight characters or more as one; a NUL in it reached PostgreSQL (a 500) on every page
that reads the session. Any other cookie is no session.
"""

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

SESSION_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(key) and SESSION_KEY.fullmatch(key) is not None
