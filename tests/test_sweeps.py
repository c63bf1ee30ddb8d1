"""The cache and the rate-limit windows delete what has expired within the statement that
writes, so a request costs the same number of statements whether it sweeps or not."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casefile.api import throttling
from casefile.api.models import RateWindow
from casefile.core import cache as postgres_cache

pytestmark = pytest.mark.django_db


def test_a_cache_write_sweeps_expired_entries_in_its_own_statement(monkeypatch):
    cache.set("stale", "x", timeout=-1)  # written already expired
    cache.set("kept", "y", timeout=600)
    monkeypatch.setattr(postgres_cache, "SWEEP_ONE_WRITE_IN", 1)  # sweep on this write
    with CaptureQueriesContext(connection) as writes:
        cache.set("new", "z", timeout=600)
    assert len(writes) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM casefile_cache ORDER BY cache_key")
        keys = [key for (key,) in cursor.fetchall()]
    assert not any(key.endswith("stale") for key in keys)
    assert any(key.endswith("kept") for key in keys) and any(key.endswith("new") for key in keys)


def test_counting_a_request_sweeps_ended_windows_in_its_own_statement(monkeypatch):
    past = timezone.now() - datetime.timedelta(hours=1)
    RateWindow.objects.create(key="anonymous:old:1", ends_at=past, count=3)
    monkeypatch.setattr(throttling, "SWEEP_ONE_REQUEST_IN", 1)
    with CaptureQueriesContext(connection) as writes:
        count = throttling.count_request("anonymous:new:2", timezone.now())
    assert (count, len(writes)) == (1, 1)
    assert list(RateWindow.objects.values_list("key", flat=True)) == ["anonymous:new:2"]
