"""While the database cannot be reached, pages and the API answer 503 with Retry-After
(a short page, or the API's error shape), and the next request after it is back gets
a 200 from the same server process.

A real server (gunicorn, one worker with persistent connections and health checks, as
deployed) talks to the test database through a TCP proxy started here; the proxy is
cut (every connection dropped, new ones refused) and restored. The database server
itself is never stopped: CI shares it.
"""

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from casefile.core.unavailable import RETRY_AFTER_SECONDS, database_unavailable
from tests.api_support import rich_case

ROOT = Path(__file__).resolve().parent.parent


class TcpProxy:
    """Forwards TCP connections on 127.0.0.1 to `upstream` (an (host, port) address or
    a Unix socket path). cut() closes every forwarded connection and refuses new ones
    until restore(); cut_at_message(n) does so when the n-th message from a client
    arrives, which is dropped: the database goes away in the middle of a request."""

    def __init__(self, upstream: tuple[str, int] | str):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open_sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.refusing = False
        self.stopped = False
        self.messages_before_cut: int | None = None
        threading.Thread(target=self._accept, daemon=True).start()

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self.upstream, str):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.upstream)
            return upstream
        return socket.create_connection(self.upstream)

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()  # the server is "down": the client sees its connection end
                continue
            try:
                upstream = self._connect_upstream()
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open_sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, target, source is client), daemon=True
                ).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool):
        try:
            while data := source.recv(65536):
                if from_client and self._cut_now():
                    self.cut()
                    return
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, target)

    def _close(self, *sockets: socket.socket):
        for sock in sockets:
            with self.lock:
                self.open_sockets.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _cut_now(self) -> bool:
        with self.lock:
            if self.messages_before_cut is None:
                return False
            self.messages_before_cut -= 1
            if self.messages_before_cut > 0:
                return False
            self.messages_before_cut = None
            return True

    def cut_at_message(self, number: int):
        with self.lock:
            self.messages_before_cut = number

    def cut(self):
        self.refusing = True
        with self.lock:
            sockets = list(self.open_sockets)
        self._close(*sockets)

    def restore(self):
        self.refusing = False

    def stop(self):
        self.stopped = True
        self.cut()
        self.listener.close()


def database_upstream() -> tuple[str, int] | str:
    """Where the test database's server listens: the embedded server's Unix socket, or
    DATABASE_URL's host and port."""
    params = connection.get_connection_params()
    host, port = params.get("host") or "127.0.0.1", int(params.get("port") or 5432)
    if host.startswith("/"):
        return f"{host}/.s.PGSQL.{port}"
    return (host, port)


def database_url(port: int) -> str:
    params = connection.get_connection_params()
    user = urllib.parse.quote(params.get("user") or "postgres")
    password = params.get("password")
    credentials = f"{user}:{urllib.parse.quote(password)}" if password else user
    return f"postgres://{credentials}@127.0.0.1:{port}/{params['dbname']}"


@pytest.fixture
def proxy():
    connection.ensure_connection()
    proxy = TcpProxy(database_upstream())
    yield proxy
    proxy.stop()


@pytest.fixture
def server(proxy, tmp_path):
    """gunicorn serving the project, its database behind the proxy; its base URL."""
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(proxy.port),
        "DEBUG": "0",  # production's error handling (DEBUG shows tracebacks instead)
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "casefile.wsgi:application",
             "--bind", "127.0.0.1:0", "--workers", "1", "--timeout", "30",
             "--log-level", "info"],
            cwd=ROOT, env=env, stdout=output, stderr=output,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"Listening at: (http://\S+)", log.read_text())):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield found.group(1), process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(base_url: str, path: str) -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(base_url)
    client = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    client.request("GET", path)
    response = client.getresponse()
    response.body = response.read()
    client.close()
    return response


@pytest.mark.django_db(transaction=True)
def test_pages_and_the_api_answer_503_while_the_database_is_cut_off_then_recover(proxy, server):
    case = rich_case()  # committed: the server's own connections see it
    base_url, process = server
    page, api_case, api_list = (
        f"/cases/{case.public_id}/",
        f"/api/v1/cases/{case.public_id}/",
        "/api/v1/cases/",
    )
    for path in (page, api_case, api_list, "/"):
        assert get(base_url, path).status == 200, path

    # The connection breaks under a request, after its first queries were answered
    # (the health check of the idle connection, then the case).
    proxy.cut_at_message(3)
    response = get(base_url, page)
    assert response.status == 503, response.body[:300]
    assert proxy.refusing
    for path in (page, "/", "/cases/?q=liu", "/cases/export.csv"):
        response = get(base_url, path)
        assert response.status == 503, (path, response.body[:300])
        assert response.getheader("Retry-After") == str(RETRY_AFTER_SECONDS)
        assert response.getheader("Content-Type").startswith("text/html")
        assert b"Casefile is unavailable for a moment" in response.body
    for path in (api_case, api_list, "/api/v1/info/", "/api/v1/exports/cases.ndjson"):
        response = get(base_url, path)
        assert response.status == 503, (path, response.body[:300])
        assert response.getheader("Retry-After") == str(RETRY_AFTER_SECONDS)
        assert response.getheader("Content-Type") == "application/json"
        body = json.loads(response.body)
        assert body["status"] == 503
        assert body["code"] == "service_unavailable"
        assert body["errors"] == []

    proxy.restore()
    for path in (page, api_case, api_list, "/"):
        assert get(base_url, path).status == 200, path
    assert process.poll() is None  # the same server process, never restarted


def test_a_refused_connection_is_unavailable_and_a_query_error_is_not(django_db_blocker):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(host="127.0.0.1", port=port, dbname="x", connect_timeout=5)
    assert database_unavailable(refused.value)
    with (
        django_db_blocker.unblock(),
        pytest.raises(psycopg.OperationalError) as cancelled,
        psycopg.connect(**connection.get_connection_params()) as own,
    ):
        own.execute("SET statement_timeout = 1")
        own.execute("SELECT pg_sleep(1)")
    assert not database_unavailable(cancelled.value)  # a query that took too long
    assert not database_unavailable(ValueError("not the database"))
