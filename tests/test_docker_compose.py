"""docker-compose.yml cannot run here (no Docker engine); check what can be checked."""

import ast
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list"}


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def variables_settings_read() -> set[str]:
    tree = ast.parse((ROOT / "casefile" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ENV_READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def test_compose_has_a_database_and_the_app():
    services = compose()["services"]
    assert set(services) == {"db", "web"}
    assert services["db"]["image"].startswith("postgres:")
    assert "healthcheck" in services["db"]
    assert any(volume.startswith("pgdata:") for volume in services["db"]["volumes"])
    assert "pgdata" in compose()["volumes"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn casefile.wsgi" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]


def test_every_variable_given_to_the_app_is_one_settings_reads():
    given = set(compose()["services"]["web"]["environment"])
    read = variables_settings_read()
    assert given - read == set(), f"settings never read: {given - read}"
    assert {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= given


def test_app_connects_to_the_database_the_db_service_creates():
    services = compose()["services"]
    db_env = services["db"]["environment"]
    url = urlsplit(services["web"]["environment"]["DATABASE_URL"])
    assert url.hostname == "db"
    assert url.username == db_env["POSTGRES_USER"]
    assert url.path.lstrip("/") == db_env["POSTGRES_DB"]


def test_dockerfile_serves_with_gunicorn_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile
    assert '"gunicorn", "casefile.wsgi"' in dockerfile
