"""The text of kept files, in Chinese and English: extracted on upload and by
`manage.py extract_capture_text`; a failure is recorded on the file, never fatal."""

import io
import os
import time

import pytest
from django.core.files.storage import storages
from django.core.management import call_command

from casefile.sources.extraction import extract_bytes, run_isolated
from casefile.sources.models import CaptureFile
from tests.capture_support import (
    CHINESE_SENTENCE,
    ENGLISH_SENTENCE,
    html,
    jpeg,
    keep,
    pdf,
    png,
    text,
    wacz,
    warc,
)
from tests.factories import make_capture

pytestmark = pytest.mark.django_db

TRADITIONAL = "被執行人劉虎有履行能力而拒不履行生效法律文書確定義務。"


def extracted(data: bytes, media_type: str, **kwargs):
    options = {"max_chars": 1_000_000, "timeout": 60, "max_memory": 0, **kwargs}
    return extract_bytes(data, media_type, **options)


def test_a_chinese_pdf_made_with_a_font_it_does_not_embed():
    result = extracted(pdf(CHINESE_SENTENCE, "（2016）黔0502执2376号"), "application/pdf")
    assert result.status == "extracted", result.error
    assert CHINESE_SENTENCE in result.text
    assert "（2016）黔0502执2376号" in result.text
    assert result.extractor.startswith("pypdfium2 ")
    assert "刘虎有履行能力" in result.match_text


def test_an_english_pdf_of_several_pages():
    result = extracted(pdf(ENGLISH_SENTENCE, "Second line.", pages=3), "application/pdf")
    assert result.status == "extracted"
    assert result.text.count(ENGLISH_SENTENCE) == 3
    assert "\x0c" not in result.text  # page breaks stored as line breaks


def test_a_chinese_html_page_gives_its_article_not_its_menus():
    page = html(
        f"<p>{TRADITIONAL}</p><p>第二段。</p>",
        title="法院公告",
        head="<script>var x = '腳本';</script>",
    )
    result = extracted(page, "text/html")
    assert result.status == "extracted", result.error
    assert TRADITIONAL in result.text
    assert "腳本" not in result.text  # scripts are not text
    assert "法院公告" in result.text
    assert "刘虎" in result.match_text  # matched in simplified characters


def test_an_english_html_page_in_another_encoding():
    page = (
        "<html><head><meta charset='windows-1252'><title>Report</title></head><body><article>"
        f"<p>{ENGLISH_SENTENCE} Café owners were listed too.</p></article></body></html>"
    ).encode("cp1252")
    result = extracted(page, "text/html")
    assert result.status == "extracted"
    assert "Café owners" in result.text


def test_a_web_archive_gives_the_text_of_its_pages_and_pdfs():
    archive = warc(
        [
            ("https://news.example.org/style.css", "text/css", b"body { color: red }"),
            (
                "https://news.example.org/a",
                "text/html; charset=utf-8",
                html(f"<p>{ENGLISH_SENTENCE}</p>"),
            ),
            ("https://court.example.cn/notice.pdf", "application/pdf", pdf(CHINESE_SENTENCE)),
        ]
    )
    for data, media_type in ((archive, "application/warc"), (wacz(archive), "application/wacz")):
        result = extracted(data, media_type)
        assert result.status == "extracted", result.error
        assert ENGLISH_SENTENCE in result.text
        assert CHINESE_SENTENCE in result.text
        assert "color: red" not in result.text
        assert "warcio" in result.extractor


def test_plain_text_in_utf8_and_gb18030():
    for encoding in ("utf-8", "gb18030", "utf-16"):
        result = extracted(
            text(f"{CHINESE_SENTENCE}\r\n{ENGLISH_SENTENCE}", encoding), "text/plain"
        )
        assert result.status == "extracted"
        assert result.text == f"{CHINESE_SENTENCE}\n{ENGLISH_SENTENCE}"


def test_images_have_no_text():
    assert extracted(png(), "image/png").status == "not_applicable"
    assert extracted(jpeg(), "image/jpeg").status == "not_applicable"


def test_control_characters_never_reach_the_stored_text():
    result = extracted(b"one\x00two\x07three\x1b\nfour", "text/plain")
    assert result.text == "onetwothree\nfour"


def test_a_long_text_is_kept_up_to_the_limit_and_says_so():
    result = extracted(text("abc " * 1000), "text/plain", max_chars=100)
    assert result.status == "extracted"
    assert len(result.text) == 100
    assert "first 100 characters" in result.error


def test_a_broken_pdf_is_recorded_as_a_failure_and_the_file_is_still_kept(editor):
    broken = b"%PDF-1.7\n" + b"\x00garbage" * 100
    kept = keep(make_capture(), broken, by=editor)
    assert kept.text_status == "failed"
    assert kept.text_error  # why, in a sentence
    assert CaptureFile.objects.filter(pk=kept.pk).exists()


def test_extraction_that_takes_too_long_is_stopped_and_recorded(tmp_path):
    fifo = tmp_path / "never-written"
    os.mkfifo(fifo)  # reading it waits for a writer that never comes
    started = time.monotonic()
    result = run_isolated(str(fifo), "text/plain", max_chars=10, timeout=1)
    assert result.status == "failed"
    assert "took longer than 1 seconds" in result.error
    assert time.monotonic() - started < 10


def test_extraction_that_needs_too_much_memory_is_stopped_and_recorded():
    result = run_isolated(
        "/dev/zero", "text/plain", max_chars=10, timeout=30, max_memory=256 * 1024 * 1024
    )
    assert result.status == "failed"
    assert "memory" in result.error


def test_the_command_extracts_again_what_failed_and_checks_the_quotes_again(editor, settings):
    from tests.factories import make_case, make_citation

    capture = make_capture()
    settings.EXTRACT_TIMEOUT = 0  # the upload's extraction fails at once
    kept = keep(capture, pdf(ENGLISH_SENTENCE), by=editor)
    assert kept.text_status == "failed"
    citation = make_citation(make_case(publication_state="draft"), capture, quote=ENGLISH_SENTENCE)
    assert citation.quote_check == "no_text"
    settings.EXTRACT_TIMEOUT = 60
    out = io.StringIO()
    call_command("extract_capture_text", stdout=out)
    kept.refresh_from_db()
    citation.refresh_from_db()
    assert kept.text_status == "extracted"
    assert citation.quote_check == "found"
    assert "1 file" in out.getvalue()


def test_the_command_leaves_a_file_whose_bytes_changed_alone(editor):
    kept = keep(make_capture(), text("Original text."), by=editor)
    storage = storages["captures"]
    path = storage.path(kept.storage_name)
    with open(path, "wb") as handle:
        handle.write(b"Tampered text.")
    call_command("extract_capture_text", "--all", stdout=io.StringIO())
    kept.refresh_from_db()
    assert kept.integrity == "changed"
    assert kept.text == "Original text."
