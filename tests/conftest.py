import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Browser tests drive Debian's Chromium through Playwright; no browser is downloaded.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}


@pytest.fixture(autouse=True)
def _empty_cache(request, django_db_blocker):
    """Facet counts, totals and rate-limit counters are cached (in the test database's
    cache table); every test that uses the database starts with none. (Tests that do
    not, such as the docker-compose checks, never set up a test database to clear.)"""
    if not (
        request.node.get_closest_marker("django_db")
        or DATABASE_FIXTURES & set(request.fixturenames)
    ):
        yield
        return
    from django.core.cache import cache

    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        cache.clear()
    yield
    with django_db_blocker.unblock():
        cache.clear()


# --- Named users of the editorial side ---------------------------------------------------


@pytest.fixture
def role_groups(db):
    """The role groups of the data migration; re-made here because transactional tests
    (the browser tests) flush the database after themselves."""
    from django.apps import apps

    from casefile.editorial.roles import sync_role_groups

    sync_role_groups(apps)


@pytest.fixture
def make_user(role_groups):
    from casefile.editorial.roles import create_user_with_role

    def make(role: str, username: str | None = None, password: str = "pw"):
        user = create_user_with_role(username=username or role, role=role, password=None)
        user.set_password(password)  # test passwords skip the validators
        user.save()
        return user

    return make


@pytest.fixture
def editor(make_user):
    return make_user("editor")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer")


@pytest.fixture
def as_editor(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests through the WSGI app (schemathesis, a generated client), like the test
    client's, keep the test's connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# --- Kept files: every test keeps them in a folder of its own ---------------------------


@pytest.fixture(autouse=True)
def _capture_file_store(settings, tmp_path_factory):
    """The capture file store in a fresh temporary folder (never .data/captures)."""
    location = tmp_path_factory.mktemp("captures")
    settings.STORAGES = {
        **settings.STORAGES,
        "captures": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    return location
