"""Extracting the text of a kept file, in Chinese and English alike.

- PDF: PDFium (pypdfium2), the PDF engine of Chromium: fast, fuzzed against hostile
  files, and it reads the predefined Chinese, Japanese and Korean encodings of fonts
  that are not embedded (a Chinese court PDF often uses STSong without embedding it);
- HTML: trafilatura's article text (the page's main text without menus, footers and
  scripts), with the page's title; a page where it finds no article gives its whole
  visible text instead;
- WARC and WACZ: every page, PDF and text document the archive holds (HTTP responses
  and resource records, the captured URL's first), read with warcio, each as above;
- plain text: decoded (UTF-8, UTF-16 with a byte-order mark, or GB18030);
- PNG and JPEG: no text (no OCR).

extract() runs in a child process (run_isolated): a malformed or hostile file can
only crash or exhaust that process, which is stopped after EXTRACT_TIMEOUT seconds or
EXTRACT_MAX_MEMORY_MB of memory. Every failure is an Extraction with status "failed"
and a message, never an exception for the caller. Text is stored as all text is
(casefile.core.text: "\\n" line breaks, no other control character), at most
EXTRACT_MAX_CHARS characters.

This module is imported by the child process before Django is set up: it imports no
model.
"""

from __future__ import annotations

import multiprocessing
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass
from importlib.metadata import version

from casefile.core.text import match_key, without_control_characters

PDF, HTML, WARC, WACZ, PNG, JPEG, TEXT = (
    "application/pdf",
    "text/html",
    "application/warc",
    "application/wacz",
    "image/png",
    "image/jpeg",
    "text/plain",
)
DOCUMENT_SEPARATOR = "\n\n"
MAX_DOCUMENTS = 500  # documents read from one web archive
MAX_ARCHIVE_BYTES = 4 * 1024**3  # uncompressed bytes read from one web archive


@dataclass
class Extraction:
    status: str  # a casefile.sources.models.TextStatus value
    text: str = ""
    match_text: str = ""
    error: str = ""
    extractor: str = ""


class _TooLarge(Exception):
    pass


def _versions(*packages: str) -> str:
    return ", ".join(f"{name} {version(name)}" for name in packages)


def clean(text: str) -> str:
    """Text as it is stored: line breaks as "\\n", no other control character (a form
    feed between PDF pages becomes a line break), no runs of blank lines or trailing
    spaces."""
    text = text.replace("\x0c", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = without_control_characters(text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- each kind -------------------------------------------------------------------------------


def pdf_text(data: bytes | str) -> str:
    """The text of a PDF (bytes, or a path), page after page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                pages.append(textpage.get_text_bounded())
            finally:
                textpage.close()
                page.close()
        return "\n\n".join(pages)
    finally:
        document.close()


def html_text(data: bytes) -> str:
    """The title and main text of an HTML page; its whole visible text when no article
    is found."""
    import trafilatura

    tree = trafilatura.load_html(data)
    if tree is None:
        return ""
    title = " ".join((tree.findtext(".//title") or "").split())  # before extract() prunes
    text = trafilatura.extract(
        tree,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        deduplicate=False,
        with_metadata=False,
    )
    if not text:
        return trafilatura.html2txt(data) or ""
    return f"{title}\n\n{text}" if title and title not in text[: len(title) + 200] else text


def plain_text(data: bytes) -> str:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _document_text(content_type: str, data: bytes) -> str | None:
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return html_text(data)
    if kind == "application/pdf":
        return pdf_text(data)
    if kind == "text/plain":
        return plain_text(data)
    return None


DOCUMENT_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain")


def _archive_documents(stream, budget: list[int]):
    """(uri, text) of each page, PDF and text document a WARC stream holds."""
    from warcio.archiveiterator import ArchiveIterator

    for record in ArchiveIterator(stream, arc2warc=True):
        if record.rec_type not in ("response", "resource"):
            continue
        if record.rec_type == "response":
            if record.http_headers is None or record.http_headers.get_statuscode() != "200":
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
        else:
            content_type = record.rec_headers.get_header("Content-Type") or ""
        if content_type.split(";")[0].strip().lower() not in DOCUMENT_TYPES:
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        data = record.content_stream().read(budget[0] + 1)
        budget[0] -= len(data)
        if budget[0] < 0:
            raise _TooLarge
        text = _safe_document_text(content_type, data)
        if text:
            yield uri, text


def _safe_document_text(content_type: str, data: bytes) -> str | None:
    try:
        return _document_text(content_type, data)
    except Exception:  # one broken document does not spoil the archive
        return None


def warc_text(streams, target_uri: str = "") -> str:
    """The text of every document of one or more WARC streams, the captured URL's first."""
    budget = [MAX_ARCHIVE_BYTES]
    documents = []
    for stream in streams:
        for uri, text in _archive_documents(stream, budget):
            documents.append((uri, text))
            if len(documents) >= MAX_DOCUMENTS:
                break
    documents.sort(key=lambda item: item[0] != target_uri)  # stable: archive order
    return DOCUMENT_SEPARATOR.join(text for _, text in documents)


def wacz_text(path: str, target_uri: str = "") -> str:
    with zipfile.ZipFile(path) as archive:
        names = sorted(
            name
            for name in archive.namelist()
            if name.startswith("archive/") and name.endswith((".warc", ".warc.gz"))
        )
        streams = (archive.open(name) for name in names)
        return warc_text(streams, target_uri)


# --- one file ---------------------------------------------------------------------------------


EXTRACTORS = {
    PDF: ("pypdfium2",),
    HTML: ("trafilatura",),
    WARC: ("warcio", "trafilatura", "pypdfium2"),
    WACZ: ("warcio", "trafilatura", "pypdfium2"),
    TEXT: (),
}


def extract(path: str, media_type: str, *, max_chars: int, target_uri: str = "") -> Extraction:
    """The text of the file at `path`, of `media_type` (as sniffed). Never raises."""
    if media_type in (PNG, JPEG):
        return Extraction("not_applicable")
    packages = EXTRACTORS.get(media_type)
    if packages is None:
        return Extraction("failed", error=f"No text extractor for {media_type}.")
    extractor = _versions(*packages) if packages else "Casefile (decoding)"
    try:
        if media_type == PDF:
            text = pdf_text(path)
        elif media_type == WARC:
            with open(path, "rb") as handle:
                text = warc_text([handle], target_uri)
        elif media_type == WACZ:
            text = wacz_text(path, target_uri)
        else:
            with open(path, "rb") as handle:
                data = handle.read()
            text = html_text(data) if media_type == HTML else plain_text(data)
    except _TooLarge:
        return Extraction(
            "failed",
            error=f"The archive holds more than {MAX_ARCHIVE_BYTES // 1024**3} GB of "
            "documents; its text was not extracted.",
            extractor=extractor,
        )
    except MemoryError:
        return Extraction(
            "failed",
            error="Extraction needed more memory than allowed (EXTRACT_MAX_MEMORY_MB).",
            extractor=extractor,
        )
    except Exception as error:  # any failure of any library is recorded, not raised
        message = f"{type(error).__name__}: {error}"
        return Extraction("failed", error=clean(message)[:500], extractor=extractor)
    text = clean(text)
    note = ""
    if len(text) > max_chars:
        text = text[:max_chars]
        note = f"Only the first {max_chars:,} characters of the text are kept."
    if not text:
        return Extraction("empty", extractor=extractor)
    return Extraction("extracted", text, match_key(text), note, extractor)


# --- in a child process -----------------------------------------------------------------------


def _child(path, media_type, max_chars, target_uri, max_memory, connection):
    import resource

    if max_memory:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    try:
        result = extract(path, media_type, max_chars=max_chars, target_uri=target_uri)
    except MemoryError:
        result = Extraction("failed", error="Extraction ran out of memory.")
    connection.send(result)
    connection.close()


_context = None


def _process_context():
    """A forkserver: the extractors are imported once, and every extraction forks a
    fresh process from it (not from the web server, whose threads and connections a
    fork would copy)."""
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["casefile.sources.extraction", "pypdfium2", "trafilatura"])
        _context = context
    return _context


def run_isolated(
    path: str,
    media_type: str,
    *,
    max_chars: int,
    timeout: float,
    max_memory: int = 0,
    target_uri: str = "",
) -> Extraction:
    """extract() in a child process, stopped after `timeout` seconds; `max_memory` bytes
    of address space at most (0: no limit). Never raises."""
    media_type = str(media_type)  # a plain string: the child has no Django models to unpickle
    if media_type in (PNG, JPEG):
        return Extraction("not_applicable")
    context = _process_context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(path, media_type, max_chars, target_uri, max_memory, send),
        daemon=True,
    )
    started = time.monotonic()
    try:
        process.start()
    except OSError as error:
        return Extraction("failed", error=f"The extractor could not be started: {error}")
    send.close()
    try:
        if receive.poll(timeout):
            try:
                return receive.recv()
            except EOFError:
                pass
        else:
            process.kill()
            return Extraction(
                "failed", error=f"Extraction took longer than {timeout:g} seconds and was stopped."
            )
        process.join(5)
        return Extraction(
            "failed",
            error=f"The extractor stopped without an answer (exit code {process.exitcode}) "
            f"after {time.monotonic() - started:.1f} s; the file may be malformed or need "
            "more memory than allowed.",
        )
    finally:
        receive.close()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(1)


def extract_bytes(data: bytes, media_type: str, **kwargs) -> Extraction:
    """run_isolated() of data in memory (tests, benchmarks)."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
        handle.write(data)
        handle.flush()
        return run_isolated(handle.name, media_type, **kwargs)
