"""Production settings refuse to start half-configured; development ones need nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Set by pytest-env for the test process; a deployment has none of them.
TEST_ONLY_VARIABLES = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "STATIC_MANIFEST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
STRONG_KEY = "k7#Vq2!mZ9@pL4$wX8^rT1&yB6*nC3(hJ5)dF0_sG-eA+uQ=oI[iK]lM{vN}bP|cR"


def run_manage(*args, env_overrides):
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ALLOWED_HOSTS": "casefile.example.org"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS must be set"),
        ({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "x", "DEBUG": "perhaps"}, "is not a boolean"),
    ],
)
def test_production_refuses_to_start_without_required_settings(overrides, message):
    result = run_manage("check", env_overrides=overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "casefile.example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(STRONG_KEY + "\n")
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY == " + repr(STRONG_KEY) + ")",
        env_overrides={"SECRET_KEY_FILE": str(secret), "ALLOWED_HOSTS": "x"},
    )
    assert result.stdout.strip().endswith("True"), result.stderr


def test_development_needs_nothing_but_debug():
    result = run_manage("check", env_overrides={"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
