"""Keeping a capture's file (casefile.sources.services.attach_capture_file): the digest
computed on receipt, the kind told from the content, nothing ever overwritten or deleted,
and attaching to a capture a published case cites is a reviewer's step."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from casefile.cases.history import case_history, public_change_log
from casefile.cases.models import Case
from casefile.sources.models import CaptureFile, SourceCapture
from tests.capture_support import every_kind, keep, pdf, sha256, text
from tests.factories import make_capture, make_case, make_citation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("media_type", sorted(every_kind()))
def test_each_kind_is_kept_with_its_digest_size_and_type_told_from_the_content(
    media_type, editor, _capture_file_store
):
    data = every_kind()[media_type]
    capture = make_capture()
    kept = keep(capture, data, by=editor, name="misleading-name.exe")
    kept.refresh_from_db()
    assert kept.sha256 == sha256(data)
    assert kept.size == len(data)
    assert kept.media_type == media_type
    assert kept.original_name == "misleading-name.exe"
    assert kept.attached_by == editor and kept.attached_at is not None
    stored = storages["captures"].open(kept.storage_name, "rb").read()
    assert stored == data
    assert (_capture_file_store / kept.storage_name).is_file()
    assert kept.sha256 in kept.storage_name
    expected = "not_applicable" if media_type.startswith("image/") else "extracted"
    assert kept.text_status == expected, kept.text_error


def test_a_typed_digest_that_does_not_match_the_file_is_refused_and_nothing_is_kept(editor):
    capture = make_capture()
    data = pdf("A report.")
    with pytest.raises(ValidationError) as refusal:
        keep(capture, data, by=editor, declared_sha256="0" * 64)
    assert "sha256" in refusal.value.message_dict
    assert sha256(data) in refusal.value.message_dict["sha256"][0]
    assert not CaptureFile.objects.exists()
    assert not storages["captures"].listdir("")[0]  # not even stored
    kept = keep(capture, data, by=editor, declared_sha256=f"SHA256:{sha256(data).upper()}")
    assert kept.sha256 == sha256(data)


def test_a_malformed_typed_digest_is_refused(editor):
    with pytest.raises(ValidationError, match="64 hexadecimal"):
        keep(make_capture(), pdf("x"), by=editor, declared_sha256="abc")


@pytest.mark.parametrize(
    "data, says",
    [
        (b"PK\x03\x04" + b"\x00" * 40, "a ZIP archive"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "an SVG"),
        (b"MZ\x90\x00" + b"\x00" * 60, "a Windows program"),
        (b"GIF89a" + b"\x00" * 20, "a GIF image"),
        (b"\x00\x01\x02\x03binary", "does not recognise"),
        (b"", "empty"),
    ],
)
def test_a_kind_of_file_outside_the_list_is_refused_with_a_clear_message(editor, data, says):
    with pytest.raises(ValidationError) as refusal:
        keep(make_capture(), data, by=editor)
    message = refusal.value.message_dict["file"][0]
    assert says in message
    if data:
        assert "PDF, an HTML page, a WARC or WACZ web archive, a PNG or JPEG" in message
    assert not CaptureFile.objects.exists()


def test_a_file_over_the_limit_is_refused_before_more_is_read(editor, settings):
    settings.CAPTURE_FILE_MAX_BYTES = 1000

    class Endless:
        read_bytes = 0

        def read(self, size=-1):
            self.read_bytes += size
            return b"a" * size

    source = Endless()
    with pytest.raises(ValidationError) as refusal:
        keep(make_capture(), source, by=editor)
    assert refusal.value.error_dict["file"][0].code == "too_large"
    assert source.read_bytes <= 2 * 1024 * 1024  # a chunk past the limit, not the stream


def test_the_same_file_twice_is_refused_and_another_file_is_kept_beside_the_first(editor):
    capture = make_capture()
    data = pdf("First.")
    first = keep(capture, data, by=editor)
    with pytest.raises(ValidationError, match="already keeps this file"):
        keep(capture, data, by=editor)
    second = keep(capture, text("A screenshot's transcript."), by=editor)
    assert list(capture.files.order_by("id")) == [first, second]
    assert storages["captures"].open(first.storage_name).read() == data


def test_the_same_bytes_for_two_captures_are_stored_once(editor):
    data = pdf("Shared.")
    one, two = keep(make_capture(), data, by=editor), keep(make_capture(), data, by=editor)
    assert one.storage_name == two.storage_name
    assert one.pk != two.pk


def test_stored_bytes_are_never_overwritten(editor, _capture_file_store):
    """Other bytes already under a file's name (a damaged copy) stay as they are: the new
    file is stored under another name."""
    data = pdf("The real file.")
    digest = sha256(data)
    name = f"{digest[:2]}/{digest[2:4]}/{digest}.pdf"
    storages["captures"].save(name, ContentFile(b"damaged bytes"))
    kept = keep(make_capture(), data, by=editor)
    assert kept.storage_name != name
    assert storages["captures"].open(name).read() == b"damaged bytes"
    assert storages["captures"].open(kept.storage_name).read() == data


def test_the_database_refuses_to_change_or_delete_a_kept_file(editor):
    kept = keep(make_capture(), pdf("Kept."), by=editor)
    with pytest.raises(DatabaseError, match="Cannot update rows"), transaction.atomic():
        CaptureFile.objects.filter(pk=kept.pk).update(sha256="f" * 64)
    with pytest.raises(DatabaseError, match="Cannot delete rows"), transaction.atomic():
        CaptureFile.objects.filter(pk=kept.pk).delete()
    with pytest.raises(ValidationError):
        kept.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceCapture.objects.filter(pk=kept.capture_id).delete()  # PROTECT
    # What can change: the extracted text and the integrity check.
    CaptureFile.objects.filter(pk=kept.pk).update(text_status="failed", integrity="changed")


def test_attaching_to_a_capture_a_published_case_cites_is_a_reviewers_step(editor, reviewer):
    capture = make_capture()
    case = make_case(published_at=timezone.now() - datetime.timedelta(days=1))
    make_citation(case, capture)
    draft_capture = make_capture()
    make_citation(make_case(publication_state="draft"), draft_capture)
    keep(draft_capture, pdf("Draft's source."), by=editor)  # editors keep files of drafts'
    with pytest.raises(PermissionDenied, match="Only a reviewer"):
        keep(capture, pdf("Correction."), by=editor)
    assert not capture.files.exists()
    before = Case.objects.get(pk=case.pk).version
    keep(capture, pdf("Correction."), by=reviewer)
    case.refresh_from_db()
    assert case.version != before  # a correction: ETag, feed and change log move
    assert "Kept file of a cited source capture added" in str(public_change_log(case)[0].items)
    history = case_history(case)[0]
    assert history.user == "reviewer" and history.action == "attach_capture_file"


def test_users_without_the_permission_attach_nothing(make_user, django_user_model):
    nobody = django_user_model.objects.create_user("visitor", password="pw")
    with pytest.raises(PermissionDenied):
        keep(make_capture(), pdf("x"), by=nobody)


def test_a_digest_typed_on_the_capture_must_be_that_of_a_kept_file(editor):
    capture = make_capture()
    kept = keep(capture, pdf("Kept."), by=editor)
    capture.sha256 = "a" * 64
    with pytest.raises(ValidationError, match="matches none of the files kept"):
        capture.full_clean()
    capture.sha256 = kept.sha256.upper()
    capture.full_clean()


def test_the_importers_check_finds_what_attaching_would_and_keeps_nothing():
    import io
    import zipfile

    from casefile.sources.services import check_capture_file

    data = pdf("In a ZIP next to the sheet.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("files/notice.pdf", data)
        archive.writestr("files/other.zip", b"PK\x03\x04" + b"\0" * 30)
    with zipfile.ZipFile(buffer) as archive:
        checked = check_capture_file(file=archive.open("files/notice.pdf"))
        assert (checked.sha256, checked.size, checked.media_type) == (
            sha256(data),
            len(data),
            "application/pdf",
        )
        with pytest.raises(ValidationError, match="ZIP archive"):
            check_capture_file(file=archive.open("files/other.zip"))
        with pytest.raises(ValidationError) as wrong:
            check_capture_file(file=archive.open("files/notice.pdf"), declared_sha256="3" * 64)
        assert wrong.value.error_dict["sha256"][0].code == "mismatch"
        kept = keep(make_capture(), archive.open("files/notice.pdf"), name="files/notice.pdf")
    assert kept.sha256 == sha256(data) and kept.original_name == "notice.pdf"
    assert CaptureFile.objects.count() == 1
