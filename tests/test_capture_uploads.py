"""Uploading files to keep, through the admin's attach page and the API's multipart
endpoint: every kind, the digest computed, a wrong typed digest refused, nothing
overwritten, a published case's capture a reviewer's, sizes bounded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casefile.sources.models import CaptureFile
from tests.api_support import auth, token
from tests.capture_support import every_kind, keep, pdf, sha256
from tests.factories import make_capture, make_case, make_citation

pytestmark = pytest.mark.django_db


def attach_url(capture):
    return reverse("admin:sources_sourcecapture_attach", args=[capture.pk])


def files_url(capture):
    return f"/api/v1/editor/captures/{capture.pk}/files/"


def upload(data, name="upload.bin"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# --- the admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", sorted(every_kind()))
def test_each_kind_uploaded_in_the_admin(as_editor, media_type):
    data = every_kind()[media_type]
    capture = make_capture()
    page = as_editor.get(reverse("admin:sources_sourcecapture_change", args=[capture.pk]))
    assert attach_url(capture) in page.text
    response = as_editor.post(attach_url(capture), {"file": upload(data), "sha256": ""})
    assert response.status_code == 302, response.content[:2000]
    kept = CaptureFile.objects.get(capture=capture)
    assert (kept.sha256, kept.size, kept.media_type) == (sha256(data), len(data), media_type)
    shown = as_editor.get(reverse("admin:sources_sourcecapture_change", args=[capture.pk])).text
    assert kept.sha256 in shown and reverse("editorial:kept-file", args=[kept.pk]) in shown


def test_the_admin_refuses_a_wrong_digest_a_second_copy_and_an_unknown_kind(as_editor):
    capture = make_capture()
    data = pdf("Report.")
    wrong = as_editor.post(attach_url(capture), {"file": upload(data), "sha256": "1" * 64})
    assert wrong.status_code == 200 and "not the file the digest describes" in wrong.text
    assert not CaptureFile.objects.exists()
    as_editor.post(attach_url(capture), {"file": upload(data), "sha256": sha256(data)})
    again = as_editor.post(attach_url(capture), {"file": upload(data)})
    assert "already keeps this file" in again.text
    zipped = as_editor.post(attach_url(capture), {"file": upload(b"PK\x03\x04" + b"\0" * 30)})
    assert "cannot be kept: it is a ZIP archive" in zipped.text
    assert CaptureFile.objects.count() == 1


def test_the_admin_attach_page_of_a_published_cases_capture_is_a_reviewers(
    as_editor, reviewer, client
):
    capture = make_capture()
    make_citation(make_case(), capture)
    page = as_editor.get(reverse("admin:sources_sourcecapture_change", args=[capture.pk]))
    assert attach_url(capture) not in page.text
    refused = as_editor.post(attach_url(capture), {"file": upload(pdf("x"))})
    assert refused.status_code == 403 and "Only a reviewer" in refused.text
    assert not CaptureFile.objects.exists()
    client.force_login(reviewer)
    assert client.post(attach_url(capture), {"file": upload(pdf("x"))}).status_code == 302
    assert CaptureFile.objects.filter(attached_by=reviewer).exists()


def test_the_admin_refuses_a_body_over_the_limit_before_reading_it(as_editor, settings):
    settings.CAPTURE_FILE_MAX_BYTES = 1000
    response = as_editor.post(
        attach_url(make_capture()), {"file": upload(b"%PDF-" + b"x" * 200_000)}
    )
    assert response.status_code == 413
    assert "larger than the most a capture keeps" in response.text


def test_kept_files_cannot_be_changed_or_deleted_in_the_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    kept = keep(make_capture(), pdf("x"), by=admin)
    change = client.get(reverse("admin:sources_capturefile_change", args=[kept.pk]))
    assert change.status_code == 200 and 'type="submit"' not in change.text.split("<form")[-1]
    delete = client.get(reverse("admin:sources_capturefile_delete", args=[kept.pk]))
    assert delete.status_code == 403


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def editor_key():
    return auth(token(groups=["editor"]))


@pytest.mark.parametrize("media_type", sorted(every_kind()))
def test_each_kind_uploaded_through_the_api(client, editor_key, media_type):
    data = every_kind()[media_type]
    capture = make_capture()
    response = client.post(
        files_url(capture), {"file": upload(data), "sha256": sha256(data)}, headers=editor_key
    )
    assert response.status_code == 201, response.content
    record = response.json()
    assert record["sha256"] == sha256(data)
    assert record["size"] == len(data)
    assert record["media_type"] == media_type
    assert record["text_status"] in ("extracted", "not_applicable")
    assert response["Location"] == record["api_url"]
    listed = client.get(files_url(capture), headers=editor_key).json()
    assert [item["sha256"] for item in listed] == [sha256(data)]
    assert client.get(record["api_url"], headers=editor_key).json()["id"] == record["id"]


def test_the_api_refuses_in_its_error_shape(client, editor_key, settings):
    capture = make_capture()
    data = pdf("Report.")
    wrong = client.post(
        files_url(capture), {"file": upload(data), "sha256": "2" * 64}, headers=editor_key
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0] | {"message": ""} == {
        "in": "body",
        "name": "sha256",
        "code": "mismatch",
        "message": "",
    }
    client.post(files_url(capture), {"file": upload(data)}, headers=editor_key)
    again = client.post(files_url(capture), {"file": upload(data)}, headers=editor_key)
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "duplicate"
    other = client.post(files_url(capture), {"file": upload(b"GIF89a..")}, headers=editor_key)
    assert other.status_code == 400
    assert other.json()["errors"][0]["code"] == "unsupported_type"
    assert "a GIF image" in other.json()["errors"][0]["message"]
    missing = client.post(files_url(capture), {"sha256": sha256(data)}, headers=editor_key)
    assert missing.status_code == 400 and missing.json()["errors"][0]["name"] == "file"
    unknown = client.post(
        files_url(capture), {"file": upload(pdf("y")), "note": "x"}, headers=editor_key
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["name"] == "note"
    json_body = client.post(
        files_url(capture), {}, content_type="application/json", headers=editor_key
    )
    assert json_body.status_code == 415
    settings.CAPTURE_FILE_MAX_BYTES = 1000
    large = client.post(
        files_url(capture), {"file": upload(b"%PDF-" + b"z" * 100_000)}, headers=editor_key
    )
    assert large.status_code == 413 and large.json()["code"] == "payload_too_large"
    assert (
        client.get("/api/v1/editor/captures/999999/files/", headers=editor_key).status_code == 404
    )


def test_the_api_keeps_a_published_cases_capture_for_reviewers(client):
    capture = make_capture()
    make_citation(make_case(), capture)
    editor = client.post(
        files_url(capture), {"file": upload(pdf("x"))}, headers=auth(token(groups=["editor"]))
    )
    assert editor.status_code == 403 and "Only a reviewer" in editor.json()["detail"]
    reviewer = client.post(
        files_url(capture), {"file": upload(pdf("x"))}, headers=auth(token(groups=["reviewer"]))
    )
    assert reviewer.status_code == 201


def test_the_api_needs_a_read_write_token_of_an_editor(client):
    capture = make_capture()
    assert client.get(files_url(capture)).status_code == 401
    read_only = auth(token(groups=["editor"], can_write=False))
    assert client.get(files_url(capture), headers=read_only).status_code == 403
    nobody = auth(token())
    assert (
        client.post(files_url(capture), {"file": upload(pdf("x"))}, headers=nobody).status_code
        == 403
    )
    assert not CaptureFile.objects.exists()
