"""Brute force against the admin's sign-in (django-axes): failures lock the account and,
separately, the address, for a cool-off, even for the right password; the lockout is
logged with the username and the address, never the password."""

import datetime
import io
import logging

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
RIGHT = "the-right-password-7"


@pytest.fixture
def ana(make_user):
    return make_user("editor", "ana", password=RIGHT)


def sign_in(client, username, password, address="10.0.0.1", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **extra,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked_out(response):
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    assert "Casefile editors" in response.text  # in the admin's frame
    assert int(response["Retry-After"]) == 15 * 60


def test_wrong_passwords_for_one_account_lock_it_even_for_the_right_password(client, ana):
    # Five addresses, one failure each: only the account's count reaches the limit.
    statuses = [sign_in(client, "ana", "guess", f"10.0.1.{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = sign_in(client, "ana", RIGHT, "10.0.2.1")
    assert_locked_out(response)
    assert not signed_in(client)
    # The lock is the account's: another account signs in from the same address.
    client.logout()
    assert sign_in(client, "bo", "x", "10.0.2.1").status_code == 200  # wrong, but not locked


def test_wrong_passwords_for_many_accounts_from_one_address_lock_the_address(client, ana):
    for name in ("root", "admin", "editor", "reviewer", "test"):
        sign_in(client, name, "guess", "10.0.3.1")
    assert_locked_out(sign_in(client, "ana", RIGHT, "10.0.3.1"))
    assert not signed_in(client)
    response = sign_in(client, "ana", RIGHT, "10.0.3.2")  # from elsewhere: fine
    assert response.status_code == 302 and signed_in(client)


def test_after_the_cool_off_the_right_password_works_again(client, ana):
    for _ in range(5):
        sign_in(client, "ana", "guess")
    assert_locked_out(sign_in(client, "ana", RIGHT))
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = sign_in(client, "ana", RIGHT)
    assert response.status_code == 302 and signed_in(client)


def test_a_lockout_is_logged_with_username_and_address_and_no_password(client, ana, caplog):
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            sign_in(client, "ana", "hunter2-secret", "192.0.2.44")
    lockouts = [r for r in caplog.records if r.levelno == logging.WARNING and "Lock" in r.message]
    assert len(lockouts) == 1
    assert '"ana"' in lockouts[0].message and "192.0.2.44" in lockouts[0].message
    assert "hunter2-secret" not in caplog.text


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(client, ana, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.9.9"  # every request arrives from the proxy
    for name in ("root", "admin", "editor", "reviewer", "test"):
        sign_in(client, name, "guess", proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert_locked_out(sign_in(client, "ana", RIGHT, proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"))
    response = sign_in(client, "ana", RIGHT, proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert response.status_code == 302 and signed_in(client)


def test_an_account_made_by_add_user_signs_in(client, role_groups, monkeypatch):
    monkeypatch.setenv("CASEFILE_PASSWORD", RIGHT)
    call_command("add_user", "cy", "--role", "reviewer", stdout=io.StringIO())
    response = sign_in(client, "cy", RIGHT)
    assert response.status_code == 302 and signed_in(client)
