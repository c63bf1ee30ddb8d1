"""`manage.py verify_captures`: every kept file re-hashed, a file changed on disk or lost
reported (exit status 1), captures published cases cite without a kept file listed; the
dashboard shows the same counts."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.capture_support import keep, pdf, text
from tests.factories import make_capture, make_case, make_citation

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("verify_captures", stdout=out)
    return out.getvalue()


@pytest.fixture
def archive(reviewer):
    """Two captures with kept files and one without, all cited by published cases."""
    with_files = make_capture()
    make_citation(make_case(), with_files)
    first = keep(with_files, pdf("First."), by=reviewer)
    second = keep(with_files, text("Second."), by=reviewer)
    bare = make_capture()
    make_citation(make_case(), bare)
    make_citation(make_case(publication_state="draft"), make_capture())  # drafts' only
    return first, second, bare


def test_every_file_intact_exits_zero_and_lists_captures_without_files(archive):
    first, _second, bare = archive
    out = run()
    assert "2 kept files checked" in out
    assert "1 capture cited by published cases keep no file" in out
    assert f"capture #{bare.pk}" in out
    first.refresh_from_db()
    assert first.integrity == "intact" and first.checked_at is not None


def test_a_file_changed_on_disk_is_reported_and_the_command_fails(
    archive, _capture_file_store, as_editor
):
    first, second, _ = archive
    path = _capture_file_store / second.storage_name
    path.write_bytes(path.read_bytes().replace(b"Second", b"Secund"))
    (_capture_file_store / first.storage_name).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 kept file\\(s\\) changed and 1 missing"):
        call_command("verify_captures", stdout=out)
    assert f"CHANGED  file #{second.pk}" in out.getvalue()
    assert f"MISSING  file #{first.pk}" in out.getvalue()
    second.refresh_from_db()
    assert second.integrity == "changed"
    dashboard = as_editor.get(reverse("editorial:dashboard")).text
    assert '<li id="damaged-files"><strong>2</strong>' in dashboard
    assert '<li id="unkept-captures"><strong>1</strong>' in dashboard


def test_a_file_put_back_is_intact_again(archive, _capture_file_store):
    _, second, _ = archive
    path = _capture_file_store / second.storage_name
    original = path.read_bytes()
    path.write_bytes(b"damaged")
    with pytest.raises(CommandError):
        run()
    path.write_bytes(original)
    run()
    second.refresh_from_db()
    assert second.integrity == "intact"
