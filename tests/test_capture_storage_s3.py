"""The capture file store in production: any S3-compatible store (MinIO in
docker-compose) through django-storages, configured by the S3_* settings. The same code
keeps, serves and checks files there: here against an in-process S3 (moto)."""

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.management import CommandError, call_command
from moto import mock_aws

from casefile.sources.services import capture_storage
from tests.capture_support import keep, pdf, sha256, text
from tests.factories import make_capture, make_case, make_citation, make_person, make_source

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "casefile-test-captures"


def test_s3_settings_make_an_s3_store_that_never_overwrites():
    env = {
        **os.environ,
        "S3_BUCKET": "casefile-captures",
        "S3_ENDPOINT_URL": "http://minio:9000",
        "S3_ACCESS_KEY_ID": "casefile-app",
        "S3_SECRET_ACCESS_KEY_FILE": str(ROOT / "pyproject.toml"),  # any readable file
        "S3_REGION": "us-east-1",
    }
    script = (
        "import json; from django.conf import settings; "
        "print('STORE=' + json.dumps(settings.STORAGES['captures'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    store = json.loads(result.stdout.split("STORE=", 1)[1])
    assert store["BACKEND"] == "storages.backends.s3.S3Storage"
    options = store["OPTIONS"]
    assert options["bucket_name"] == "casefile-captures"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["addressing_style"] == "path"  # MinIO's
    assert options["file_overwrite"] is False
    assert options["default_acl"] is None  # nothing public in the bucket
    assert options["secret_key"].startswith("[build-system]")  # read from the *_FILE


@pytest.fixture
def s3_store(settings):
    with mock_aws():
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
        )
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "captures": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "access_key": "t",
                    "secret_key": "t",
                    "region_name": "us-east-1",
                    "location": "captures",
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
        }
        yield client


def stored_objects(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listing
    }


@pytest.mark.django_db
def test_files_are_kept_served_and_checked_in_an_s3_store(s3_store, reviewer, client):
    assert type(capture_storage()).__name__ == "S3Storage"
    data = pdf("Kept in S3.")
    source = make_source(sharing="public")
    capture = make_capture(source)
    make_citation(make_case(person=make_person(privacy="public")), capture)
    kept = keep(capture, data, by=reviewer)
    assert kept.text_status == "extracted"
    objects = stored_objects(s3_store)
    assert objects == {f"captures/{kept.storage_name}": data}

    response = client.get(f"/captures/{capture.pk}/files/{kept.sha256}/")
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == kept.sha256

    call_command("verify_captures", stdout=io.StringIO())
    s3_store.put_object(Bucket=BUCKET, Key=f"captures/{kept.storage_name}", Body=b"altered")
    with pytest.raises(CommandError, match="1 kept file"):
        call_command("verify_captures", stdout=io.StringIO())


@pytest.mark.django_db
def test_an_s3_store_never_overwrites_other_bytes(s3_store, reviewer):
    data = text("The real bytes.")
    digest = sha256(data)
    name = f"captures/{digest[:2]}/{digest[2:4]}/{digest}.txt"
    s3_store.put_object(Bucket=BUCKET, Key=name, Body=b"other bytes")
    kept = keep(make_capture(), data, by=reviewer)
    objects = stored_objects(s3_store)
    assert objects[name] == b"other bytes"
    assert objects[f"captures/{kept.storage_name}"] == data
