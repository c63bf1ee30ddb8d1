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


def test_compose_has_a_database_a_file_store_and_the_app():
    services = compose()["services"]
    assert set(services) == {"db", "minio", "minio-setup", "web", "backup"}
    assert services["db"]["image"].startswith("postgres:")
    assert "healthcheck" in services["db"]
    assert any(volume.startswith("pgdata:") for volume in services["db"]["volumes"])
    assert "pgdata" in compose()["volumes"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn casefile.wsgi" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["minio"]["image"].startswith("minio/minio")
    assert "healthcheck" in services["minio"]
    assert any(volume.startswith("miniodata:") for volume in services["minio"]["volumes"])
    assert services["web"]["depends_on"]["minio-setup"]["condition"] == (
        "service_completed_successfully"
    )


def test_every_variable_given_to_a_service_running_the_app_is_one_settings_reads():
    read = variables_settings_read()
    for name in ("web", "backup"):
        given = set(compose()["services"][name]["environment"])
        assert given - read == set(), f"{name}: settings never read: {given - read}"


def test_the_app_keeps_files_in_the_bucket_minio_setup_makes_with_the_apps_own_key():
    services = compose()["services"]
    app, setup, minio = (
        services["web"]["environment"],
        services["minio-setup"]["environment"],
        services["minio"]["environment"],
    )
    assert urlsplit(app["S3_ENDPOINT_URL"]).hostname == "minio"
    assert urlsplit(app["S3_ENDPOINT_URL"]).port == 9000
    for name in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
        assert app[name] == setup[name], name
    for name in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"):
        assert setup[name] == minio[name], name
    assert app["S3_ACCESS_KEY_ID"] != minio["MINIO_ROOT_USER"]  # not the root key
    script = " ".join(services["minio-setup"]["command"])
    assert 'mc mb --ignore-existing "local/$$S3_BUCKET"' in script
    assert "mc version enable" in script
    assert "s3:DeleteObject" not in script  # the app's key cannot delete a kept file
    assert services["backup"]["environment"] == app
    assert "manage.py backup /backups/" in services["backup"]["command"]
    assert any(volume.startswith("backups:/backups") for volume in services["backup"]["volumes"])


def test_the_images_pg_dump_is_as_new_as_the_database_it_dumps():
    import re

    dockerfile = (ROOT / "Dockerfile").read_text()
    client = int(re.search(r"postgresql-client-(\d+)", dockerfile).group(1))
    server = int(re.match(r"postgres:(\d+)", compose()["services"]["db"]["image"]).group(1))
    assert client >= server


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
