"""What kind of file this is, told from its bytes, never from its name.

A capture keeps seven kinds of file (MediaType): PDF, an HTML page, a WARC or WACZ web
archive, a PNG or JPEG screenshot, plain text. Each is recognised by its signature, as
the WHATWG MIME Sniffing Standard and the formats' own specifications define them:

- PDF: "%PDF-" within the first 1,024 bytes (readers allow a little before it);
- PNG: its eight-byte signature; JPEG: FF D8 FF;
- WARC: a record starting "WARC/1.0" or "WARC/1.1", or a gzip file whose first record
  does (WARC files are usually gzipped record by record);
- WACZ: a ZIP holding datapackage.json and at least one WARC under archive/;
- HTML: after optional white space (and a byte-order mark), one of the tags the
  sniffing standard lists (<!DOCTYPE HTML, <html, <head, <body, <script, <p, a comment…),
  or an XML declaration followed by <html;
- plain text: no byte that text never holds (NUL and the other control characters but
  tab, line breaks and form feed) in UTF-8, UTF-16 with a byte-order mark, or GB18030.

Anything else is refused, with what it appears to be when it has a well-known signature
(a ZIP, a Word document, a GIF, an SVG, a program…), so the editor knows what to do.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from casefile.sources.models import MediaType

HEAD_BYTES = 64 * 1024  # what sniffing reads of the file, at most, for most kinds

ACCEPTED = "a PDF, an HTML page, a WARC or WACZ web archive, a PNG or JPEG image, or plain text"

HTML_TAGS = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)"
    rb"(?:[\s>]|$)",
    re.IGNORECASE,
)
XHTML = re.compile(
    rb"^<\?xml[^>]*\?>\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html[^>]*>\s*)?<html[\s>]", re.I | re.S
)
MARKUP = re.compile(rb"<(?:\?xml|svg[\s>]|!doctype\s+svg)", re.IGNORECASE)
TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")

# Signatures of common kinds Casefile does not keep: named in the refusal.
KNOWN_OTHERS = [
    (b"PK\x03\x04", "a ZIP archive (a WACZ holds datapackage.json and archive/*.warc)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP image, WAV or AVI)"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"{\\rtf", "an RTF document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip file that is not a WARC"),
    (b"MIME-Version:", "an MHTML page (save the page as one HTML file, or as a WARC/WACZ)"),
]


class NotAcceptedType(ValueError):
    """The file is not a kind a capture keeps; the message says what it seems to be."""


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    extension: str


def sniff(handle: BinaryIO) -> Sniffed:
    """The kind of file `handle` (a seekable binary file) holds; NotAcceptedType if it is
    none of the accepted kinds. Leaves the position at the start."""
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    try:
        return _sniff(handle, head)
    finally:
        handle.seek(0)


def _sniff(handle: BinaryIO, head: bytes) -> Sniffed:
    if not head:
        raise NotAcceptedType("The file is empty.")
    if b"%PDF-" in head[:1024]:
        return Sniffed(MediaType.PDF, ".pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(MediaType.PNG, ".png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(MediaType.JPEG, ".jpg")
    if head.startswith((b"WARC/1.0", b"WARC/1.1")):
        return Sniffed(MediaType.WARC, ".warc")
    if head.startswith(b"\x1f\x8b") and _gzipped_warc(handle):
        return Sniffed(MediaType.WARC, ".warc.gz")
    if head.startswith(b"PK\x03\x04") and _wacz(handle):
        return Sniffed(MediaType.WACZ, ".wacz")
    if any(head.startswith(signature) for signature, _ in KNOWN_OTHERS):
        raise NotAcceptedType(_refusal(head))  # e.g. an MHTML page or RTF, text-like
    text = _as_text(head)
    if text is not None:
        stripped = text.lstrip(b" \t\n\r\x0c")
        if HTML_TAGS.match(stripped) or XHTML.match(stripped):
            return Sniffed(MediaType.HTML, ".html")
        if MARKUP.match(stripped):  # SVG, XML: markup that is no HTML page is not text
            raise NotAcceptedType(_refusal(stripped))
        if handle_is_text(handle):
            return Sniffed(MediaType.TEXT, ".txt")
    raise NotAcceptedType(_refusal(head))


def _refusal(head: bytes) -> str:
    seems = next((what for signature, what in KNOWN_OTHERS if head.startswith(signature)), None)
    if seems is None and re.search(rb"<svg[\s>]", head[:1024], re.I):
        seems = "an SVG image (it can hold scripts; keep a PNG screenshot instead)"
    elif seems is None and head.lstrip().startswith(b"<?xml"):
        seems = "an XML document"
    if seems is None:
        first = " ".join(f"{byte:02X}" for byte in head[:8])
        seems = f"a kind of file Casefile does not recognise (it starts with {first})"
    return f"This file cannot be kept: it is {seems}. A capture keeps {ACCEPTED}."


def _gzipped_warc(handle: BinaryIO) -> bool:
    handle.seek(0)
    try:
        with gzip.GzipFile(fileobj=handle) as unzipped:
            return unzipped.read(8) in (b"WARC/1.0", b"WARC/1.1")
    except (OSError, EOFError, ValueError):
        return False


def _wacz(handle: BinaryIO) -> bool:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    has_warc = any(
        name.startswith("archive/") and name.endswith((".warc", ".warc.gz")) for name in names
    )
    return "datapackage.json" in names and has_warc


BOMS = [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]


def text_encoding(data: bytes) -> str | None:
    """The encoding plain text in `data` is written in (UTF-8, UTF-16 with a byte-order
    mark, GB18030), or None if it is not text. `data` may end mid-character."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                decoded = data[len(bom) :].decode(encoding, errors="strict")
            except UnicodeDecodeError as error:
                if error.start < len(data) - len(bom) - 4:
                    return None
                decoded = data[len(bom) : len(bom) + error.start].decode(encoding)
            return None if TEXT_CONTROL.search(decoded.encode("utf-8")) else encoding
    if TEXT_CONTROL.search(data):
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError as error:
            if error.start >= len(data) - 4 and error.reason.startswith(
                ("unexpected end", "incomplete")
            ):
                return encoding  # cut in the middle of a character
            continue
        return encoding
    return None


def _as_text(head: bytes) -> bytes | None:
    """The head as UTF-8 bytes if it is text in one of the encodings text may have."""
    encoding = text_encoding(head)
    if encoding is None:
        return None
    if encoding == "utf-8":
        return head.removeprefix(b"\xef\xbb\xbf")
    start = next((len(bom) for bom, name in BOMS if name == encoding and head.startswith(bom)), 0)
    return head[start:].decode(encoding, errors="ignore").encode("utf-8")


def handle_is_text(handle: BinaryIO, chunk: int = 1024 * 1024) -> bool:
    """Whether the whole file is text in the encoding its start is in (a binary file can
    start like text)."""
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    encoding = text_encoding(head)
    if encoding is None:
        return False
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while block := handle.read(chunk):
            if encoding in ("utf-8", "gb18030") and TEXT_CONTROL.search(block):
                return False
            decoded = decoder.decode(block)
            if encoding.startswith("utf-16") and TEXT_CONTROL.search(decoded.encode("utf-8")):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        handle.seek(0)
    return True
