"""Files of every kind a capture keeps, made in the tests, and helpers to keep them."""

import gzip
import hashlib
import io
import struct
import zipfile
import zlib

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from casefile.sources.services import attach_capture_file

# A listing's reason as the court list words it (simplified), and an English sentence.
CHINESE_SENTENCE = "被执行人刘虎有履行能力而拒不履行生效法律文书确定义务。"
ENGLISH_SENTENCE = "The court said he refuses to perform the verdict although able to."


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf(*lines: str, pages: int = 1) -> bytes:
    """A PDF with these lines on each page: Chinese in the built-in STSong-Light CID font
    (not embedded, as many Chinese court PDFs are), Latin text in Helvetica."""
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    for page in range(pages):
        y = 800
        for line in lines:
            cjk = any("\u3400" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" for char in line)
            document.setFont("STSong-Light" if cjk else "Helvetica", 11)
            document.drawString(40, y, line)
            y -= 16
        document.drawString(40, 30, f"Page {page + 1}")
        document.showPage()
    document.save()
    return buffer.getvalue()


def html(body: str, title: str = "Report", head: str = "") -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>{head}</head><body><nav><a href='/'>Home</a> <a href='/news'>"
        f"News</a></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>© Example Daily</footer></body></html>"
    ).encode()


def warc(records: list[tuple[str, str, bytes]], gzipped: bool = True) -> bytes:
    """A WARC of HTTP responses: (url, content type, body) each."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for url, content_type, body in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()


def wacz(warc_bytes: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", '{"profile": "data-package", "resources": []}')
        archive.writestr("archive/data.warc.gz", warc_bytes)
        archive.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0"}\n')
    return buffer.getvalue()


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid PNG (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JPEG (JFIF): enough to be told from its content."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def text(body: str, encoding: str = "utf-8") -> bytes:
    return body.encode(encoding)


def every_kind() -> dict[str, bytes]:
    """One file of each accepted kind, by media type."""
    page = html(f"<p>{CHINESE_SENTENCE}</p><p>{ENGLISH_SENTENCE}</p>")
    return {
        "application/pdf": pdf(CHINESE_SENTENCE, ENGLISH_SENTENCE),
        "text/html": page,
        "application/warc": warc(
            [("https://news.example.org/a", "text/html; charset=utf-8", page)]
        ),
        "application/wacz": wacz(warc([("https://news.example.org/b", "text/html", page)])),
        "image/png": png(),
        "image/jpeg": jpeg(),
        "text/plain": text(f"{CHINESE_SENTENCE}\n{ENGLISH_SENTENCE}\n"),
    }


def keep(capture, data: bytes, *, by=None, name: str = "capture.bin", **kwargs):
    """attach_capture_file() of these bytes."""
    return attach_capture_file(capture=capture, file=data, filename=name, by=by, **kwargs)


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)
