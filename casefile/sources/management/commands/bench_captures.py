"""`make bench-captures`: the speed targets of kept files, printed as figures.

- text extraction of a 2 MB PDF and a 2 MB HTML page (target: 2 s each), through the
  same child process uploads use (its first start, which imports the extractors, is timed
  apart);
- the quote check of every citation of a case (target: 50 ms), with each capture keeping
  a file of about a megabyte of extracted text;
- verify_captures' re-hashing of the local file store (target: 100 MB/s).

Its rows are written in a transaction that is rolled back and its files in a temporary
folder that is removed: the database and the file store are left as they were.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import statistics
import tempfile
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings

from casefile.cases.benchmark import machine, percentiles
from casefile.cases.models import Case, Citation
from casefile.cases.quotes import check_quotes
from casefile.core.text import match_key
from casefile.people.models import Person
from casefile.sources import extraction
from casefile.sources.integrity import check_kept_files
from casefile.sources.models import CaptureFile, Source, SourceCapture

SENTENCES_ZH = [
    "被执行人有履行能力而拒不履行生效法律文书确定的义务。",
    "法院依法将其纳入失信被执行人名单，并限制其乘坐飞机和高铁。",
    "该公司因合同纠纷被起诉，银行随后冻结了其账户。",
    "他说自己直到购买机票被拒时才知道被列入名单。",
]
SENTENCES_EN = [
    "The court found that the debtor refused to perform the verdict although able to.",
    "He learned of the listing only when an airline refused to sell him a ticket.",
    "The judge then required publication of the whole verdict at a cost of at least $1,330.",
    "Banks cut the company off, so it could not pay staff or pursue legal redress.",
]


def paragraph(rng: random.Random, n: int) -> str:
    chinese = "".join(rng.choice(SENTENCES_ZH) for _ in range(3))
    english = " ".join(rng.choice(SENTENCES_EN) for _ in range(3))
    return f"第{n}段 {chinese} {english}"


def pdf_about(target: int, *, pages: int | None = None) -> bytes:
    """A PDF of about `target` bytes. With `pages`, that many pages of dense Chinese and
    English text, each with a photograph (incompressible) sized to reach `target`: what a
    2 MB report or judgment is like. Without, text only, pages added until the file is
    that large: thousands of pages, the worst case for its size."""
    if pages is not None:
        text_only = len(_pdf_pages(pages))
        return _pdf_pages(pages, image_bytes=max(0, (target - text_only) // pages))
    pages = 10
    while True:
        data = _pdf_pages(pages)
        if len(data) >= target:
            return data
        pages = int(pages * max(1.2, target / max(len(data), 1)))


def _pdf_pages(pages: int, image_bytes: int = 0) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    rng = random.Random(12)
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    side = int(image_bytes**0.5)
    for _ in range(pages):
        if side:
            from PIL import Image
            from reportlab.lib.utils import ImageReader

            photo = Image.frombytes("L", (side, side), rng.randbytes(side * side))
            document.drawImage(ImageReader(photo), 400, 650, width=150, height=150)
        y = 800
        while y > 40:
            document.setFont("STSong-Light", 9)
            document.drawString(30, y, rng.choice(SENTENCES_ZH) + rng.choice(SENTENCES_ZH))
            document.setFont("Helvetica", 8)
            document.drawString(30, y - 11, rng.choice(SENTENCES_EN))
            y -= 24
        document.showPage()
    document.save()
    return buffer.getvalue()


def html_about(target: int) -> bytes:
    """A news page of about `target` bytes: menus, scripts and a long article."""
    rng = random.Random(7)
    menu = "".join(f"<li><a href='/section/{i}'>栏目 {i}</a></li>" for i in range(300))
    script = "<script>" + "var tracking = 1;" * 2000 + "</script>"
    parts, size, n = [], 0, 0
    while size < target:
        chunk = f"<p>{paragraph(rng, n)}</p>\n"
        parts.append(chunk)
        size += len(chunk.encode())
        n += 1
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>法院公告</title>"
        f"{script}</head><body><nav><ul>{menu}</ul></nav><article><h1>法院公告</h1>"
        + "".join(parts)
        + "</article><footer>版权所有</footer></body></html>"
    ).encode()


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark text extraction, the quote check and verify_captures."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="Runs of each extraction.")
        parser.add_argument("--citations", type=int, default=40, help="Citations of the case.")
        parser.add_argument("--verify-mb", type=int, default=1024, help="MB to re-hash.")
        parser.add_argument(
            "--size-mb", type=float, default=2.0, help="Size of the documents extracted."
        )

    def handle(self, *args, **options):
        self.stdout.write(f"Kept files benchmark; {machine()}.")
        self.extraction(options["repeat"], int(options["size_mb"] * 1024 * 1024))
        with tempfile.TemporaryDirectory(prefix="casefile-bench-") as folder:
            store = {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": folder},
            }
            from django.conf import settings

            with override_settings(STORAGES={**settings.STORAGES, "captures": store}):
                try:
                    with transaction.atomic():
                        self.quote_check(options["citations"])
                        self.verify(folder, options["verify_mb"])
                        raise Rollback
                except Rollback:
                    pass
        self.stdout.write(f"Done; {machine()}.")

    # --- extraction ------------------------------------------------------------------------

    def extraction(self, repeat: int, size: int) -> None:
        documents = {
            "PDF, 100 pages of text and photos": (pdf_about(size, pages=100), extraction.PDF),
            "HTML page": (html_about(size), extraction.HTML),
            "PDF, text only (worst case)": (pdf_about(size), extraction.PDF),
        }
        with tempfile.TemporaryDirectory() as folder:
            paths = {}
            for label, (data, media_type) in documents.items():
                path = os.path.join(folder, label)
                with open(path, "wb") as handle:
                    handle.write(data)
                paths[label] = (path, media_type, len(data))
            started = time.perf_counter()
            first = extraction.run_isolated(
                paths["HTML page"][0], extraction.HTML, max_chars=5_000_000, timeout=120
            )
            self.stdout.write(
                f"First extraction, starting the extractors' process: "
                f"{time.perf_counter() - started:.2f} s ({first.status})."
            )
            self.stdout.write(
                f"Extraction of {size / 1024 / 1024:g} MB documents (target: 2 MB ≤ 2 s):"
            )
            for label, (path, media_type, size) in paths.items():
                times, result = [], None
                for _ in range(repeat):
                    started = time.perf_counter()
                    result = extraction.run_isolated(
                        path, media_type, max_chars=5_000_000, timeout=120
                    )
                    times.append(time.perf_counter() - started)
                p50, _ = percentiles(times)
                self.stdout.write(
                    f"  {label} {size / 1024 / 1024:.2f} MB: p50 {p50:.2f} s, max "
                    f"{max(times):.2f} s; {len(result.text):,} characters ({result.status}, "
                    f"{result.extractor})"
                )

    # --- the quote check -------------------------------------------------------------------

    def quote_check(self, citations: int) -> None:
        # A long article or judgment of a capture (100,000 characters), and a capture
        # keeping a 1,000-page document's text (2,000,000).
        for paragraphs in (500, 10_000):
            self.quote_check_of(citations, paragraphs)

    def quote_check_of(self, citations: int, paragraphs: int) -> None:
        rng = random.Random(3)
        source = Source.objects.create(kind="news_article", title="Benchmark source")
        person = Person.objects.create(name_original="王伟", privacy="public")
        case = Case.objects.create(person=person, publication_state="draft")
        captures = []
        for n in range(5):
            capture = SourceCapture.objects.create(
                source=source, captured_at=f"2018-01-0{n + 1}T00:00:00Z"
            )
            body = "\n".join(paragraph(rng, i) for i in range(paragraphs))
            CaptureFile.objects.create(
                capture=capture,
                sha256=hashlib.sha256(body.encode()).hexdigest(),
                size=len(body.encode()),
                media_type="text/plain",
                storage_name=f"bench/{n}.txt",
                text=body,
                match_text=match_key(body),
                text_status="extracted",
            )
            captures.append((capture, body))
        rows = []
        for n in range(citations):
            capture, body = captures[n % len(captures)]
            if n % 4 == 3:
                quote = "A sentence that the source does not hold, quoted wrongly."
            else:
                start = rng.randrange(0, len(body) - 200)
                quote = body[start : start + 120]
            rows.append(
                Citation(
                    case=case,
                    capture=capture,
                    case_field="summary",
                    quote=quote,
                    quote_check="no_text",
                )
            )
        Citation.objects.bulk_create(rows)
        text_chars = sum(len(body) for _, body in captures)
        times = []
        for _ in range(20):
            Citation.objects.filter(case=case).update(quote_check="no_text")
            started = time.perf_counter()
            check_quotes(
                Citation.objects.filter(case=case).only("id", "capture_id", "quote", "quote_check")
            )
            times.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(times)
        found = Citation.objects.filter(case=case, quote_check="found").count()
        self.stdout.write(
            f"Quote check of a case's {citations} citations over 5 captures of "
            f"{text_chars // 5:,} characters of kept text each ({found} found), target ≤ 50 "
            f"ms: p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms, mean {statistics.mean(times):.1f} ms (20 runs, stored too)"
        )

    # --- verify_captures -------------------------------------------------------------------

    def verify(self, folder: str, megabytes: int) -> None:
        source = Source.objects.create(kind="news_article", title="Benchmark files")
        capture = SourceCapture.objects.create(source=source, captured_at="2019-01-01T00:00:00Z")
        size = 32 * 1024 * 1024
        count = max(1, megabytes * 1024 * 1024 // size)
        rng = random.Random(5)
        ids = []
        for n in range(count):
            data = rng.randbytes(size)
            name = f"bench/{n:03}.warc"
            os.makedirs(os.path.join(folder, "bench"), exist_ok=True)
            with open(os.path.join(folder, name), "wb") as handle:
                handle.write(data)
            kept = CaptureFile.objects.create(
                capture=capture,
                sha256=hashlib.sha256(data).hexdigest(),
                size=size,
                media_type="application/warc",
                storage_name=name,
                text_status="empty",
            )
            ids.append(kept.pk)
        report = check_kept_files(CaptureFile.objects.filter(pk__in=ids))
        assert report.ok
        self.stdout.write(
            f"verify_captures on local storage, target ≥ 100 MB/s: {report.checked} files, "
            f"{report.bytes_read / 1e6:,.0f} MB in {report.seconds:.2f} s = "
            f"{report.megabytes_per_second:,.0f} MB/s (files just written: from the page cache)"
        )
