"""/stats/ and /api/v1/stats/: the figures of any search, charted.

The counts are the search's own facet counts, a hidden case counts nowhere, each chart is
well-formed SVG with a text alternative and its table, and each link in a chart is a
search finding exactly the cases it counts."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from casefile.cases.models import Case
from tests.api_support import body
from tests.factories import make_amount, make_authority, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def dated(year, month=None, day=None):
    """(date, precision) of a partial date."""
    if day:
        return datetime.date(year, month, day), "day"
    if month:
        return datetime.date(year, month, 1), "month"
    return datetime.date(year, 1, 1), "year"


def case(*, province="hubei", listed=None, removed=None, kinds=(), amounts=(), **fields):
    listed_on, listed_precision = listed or (None, "")
    removed_on, removed_precision = removed or (None, "")
    made = make_case(
        authority=make_authority(province=province) if province else None,
        listed_on=listed_on,
        listed_on_precision=listed_precision,
        removed_on=removed_on,
        removed_on_precision=removed_precision,
        status="removed" if removed else fields.pop("status", "listed"),
        **fields,
    )
    for kind in kinds:
        make_restriction(made, kind=kind)
    for kind, value, currency in amounts:
        make_amount(made, kind=kind, value=Decimal(value), currency=currency)
    return made


@pytest.fixture
def archive():
    """Public cases across provinces, years, restrictions and amounts, and hidden ones
    (a draft, a case in review, a retracted one, a withheld person's) that would show in
    every chart if they counted: Tibet, 2099-style years, ringback tones, US dollars."""
    case(
        listed=dated(2016),
        removed=dated(2018),
        kinds=["air_travel"],
        amounts=[("owed", "12000", "CNY")],
        notified=True,
    )
    case(
        listed=dated(2017, 3, 5),
        removed=dated(2019, 6, 1),
        kinds=["air_travel", "loans_credit"],
        amounts=[("owed", "5000", "CNY"), ("fine", "0", "CNY")],
        notified=False,
    )
    case(
        province="guangdong",
        listed=dated(2017, 6),
        kinds=["high_speed_rail"],
        amounts=[("owed", "250000", "CNY")],
        offence_category="defamation_speech",
    )
    case(
        province="guangdong",
        listed=dated(2018, 1, 2),
        removed=dated(2018, 11, 30),
        kinds=["loans_credit"],
        amounts=[("owed", "800", "CNY"), ("paid", "1000", "CAD")],
    )
    case(province="", listed=None, status="removed", kinds=["travel_abroad"])
    case(
        province="beijing",
        listed=dated(2019),
        kinds=["air_travel"],
        notified=True,
        offence_category="unpaid_fine",
        amounts=[("fine", "0.5", "CNY")],
    )
    hidden = {
        "province": "tibet",
        "listed": dated(2021),
        "removed": dated(2022),
        "kinds": ["ringback_tone"],
        "amounts": [("damages", "99", "USD")],
        "offence_category": "theft",
    }
    case(publication_state="draft", **hidden)
    case(publication_state="in_review", **hidden)
    case(publication_state="retracted", **hidden)
    case(person=make_person(privacy="withheld"), **hidden)


SEARCHES = [
    "",
    "province=guangdong",
    "restriction=air_travel",
    "restriction=air_travel&restriction=loans_credit",
    "listed_from=2017-06&listed_to=2018",
    "notified=yes&offence=unpaid_debt",
    "removed_from=2018",
    "q=listed",
    "status=removed&ordering=listed",
]


def api(client, path):
    response = client.get(path)
    assert response.status_code == 200, body(response)
    return response.json()


def by_value(values, key="value"):
    return {str(item[key]): item["count"] for item in values}


@pytest.mark.parametrize("search", SEARCHES)
def test_counts_are_the_search_facet_counts(client, archive, search):
    stats = api(client, f"/api/v1/stats/?{search}")
    facets = api(client, f"/api/v1/cases/facets/?{search}")
    assert stats["total"] == facets["total"]
    assert not stats["estimated"] and not stats["sampled"]
    listed = by_value(stats["listed"])
    assert listed == {k: v for k, v in by_value(facets["year"]).items() if k != "None"}
    assert stats["listed_unknown"] == by_value(facets["year"]).get("None", 0)
    provinces = {k: v for k, v in by_value(stats["provinces"]).items() if v}
    assert provinces == by_value(facets["province"])
    assert by_value(stats["restrictions"]) == by_value(facets["restriction"])
    assert by_value(stats["offences"]) == by_value(facets["offence"])
    notified = {k: v for k, v in by_value(stats["notified"]).items() if v}
    expected = {{"True": "yes", "False": "no", "None": "unknown"}[k]: v
                for k, v in by_value(facets["notified"]).items()}  # fmt: skip
    assert notified == expected


def test_hidden_cases_count_nowhere(client, archive):
    stats = api(client, "/api/v1/stats/")
    assert stats["total"] == Case.objects.published().count() == 6
    assert by_value(stats["provinces"])["tibet"] == 0
    assert "ringback_tone" not in by_value(stats["restrictions"])
    assert "theft" not in by_value(stats["offences"])
    assert "2021" not in by_value(stats["listed"]) and "2022" not in by_value(stats["removed"])
    assert all(d["currency"] != "USD" and d["kind"] != "damages" for d in stats["amounts"])
    # The hidden cases' own filters find nothing to chart.
    assert api(client, "/api/v1/stats/?province=tibet")["total"] == 0
    assert api(client, "/api/v1/stats/?removed_from=2022")["removed"] == []


def test_years_removed_durations_and_amounts(client, archive):
    stats = api(client, "/api/v1/stats/")
    assert by_value(stats["removed"]) == {"2018": 2, "2019": 1}
    assert stats["removed_unknown"] == 1  # removed, no date
    # 2016 → 2018 by calendar years (year precision): 2; 5 Mar 2017 → 1 Jun 2019: 2 whole
    # years; 2 Jan → 30 Nov 2018: under a year.
    assert by_value(stats["durations"]) == {"0": 1, "2": 2}
    assert all(bar["params"] is None for bar in stats["durations"])
    amounts = {(d["kind"], d["currency"]): d for d in stats["amounts"]}
    owed = amounts[("owed", "CNY")]
    assert owed["count"] == 4 and owed["zero"] == 0
    assert Decimal(owed["median"]) in (Decimal("5000"), Decimal("12000"))
    assert {(b["low"], b["count"]) for b in owed["bins"]} == {
        ("100.00", 1),
        ("1000.00", 1),
        ("10000.00", 1),
        ("100000.00", 1),
    }
    fines = amounts[("fine", "CNY")]
    assert fines["zero"] == 1 and fines["count"] == 2
    assert {(b["low"], b["high"], b["count"]) for b in fines["bins"]} == {
        (None, None, 1),
        ("0.00", "1.00", 1),
    }
    # A power of ten is the first of its column.
    assert [(b["low"], b["count"]) for b in amounts[("paid", "CAD")]["bins"]] == [("1000.00", 1)]


def test_removed_filters(client, archive):
    def total(query):
        return api(client, f"/api/v1/cases/facets/?{query}")["total"]

    assert total("removed_from=2018&removed_to=2018") == 2
    assert total("removed_from=2018-12") == 1
    assert total("removed_to=2018-11-29") == 1
    assert total("removed_from=2019-06-01&removed_to=2019-06") == 1
    for query, field in [
        ("removed_from=2018-13", "removed_from"),
        ("removed_to=soon", "removed_to"),
        ("removed_from=2019&removed_to=2018", "removed_to"),
    ]:
        response = client.get(f"/api/v1/stats/?{query}")
        assert response.status_code == 400
        assert field in body(response)
        page = client.get(f"/stats/?{query}")
        assert page.status_code == 400 and field in body(page)
        assert client.get(f"/cases/?{query}").status_code == 400
        assert client.get(f"/stats/removed.csv?{query}").status_code == 400


def test_api_names_an_unknown_parameter(client, archive):
    response = client.get("/api/v1/stats/?provnce=hubei")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameters"


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(block) for block in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def check_text_alternative(svg: ET.Element):
    assert svg.get("role") == "img"
    ids = svg.get("aria-labelledby").split()
    texts = {node.get("id"): (node.text or "").strip() for node in svg.iter() if node.get("id")}
    assert len(ids) == 2 and all(texts.get(i) for i in ids), ids
    assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None


def links(svg: ET.Element) -> list[tuple[str, int]]:
    """(href, count said) of each link of a chart."""
    found = []
    for link in svg.iter(f"{SVG}a"):
        count = re.search(r"([\d,]+) cases?$", link.get("aria-label"))
        found.append((link.get("href"), int(count.group(1).replace(",", ""))))
    return found


CHARTED = [
    "",
    "province=guangdong",
    "restriction=air_travel&restriction=loans_credit",
    "listed_from=2017-06&listed_to=2018",
]


@pytest.mark.parametrize("search", CHARTED)
def test_charts_are_svg_with_text_alternatives_and_links_that_count_right(client, archive, search):
    response = client.get(f"/stats/?{search}")
    assert response.status_code == 200
    html = body(response)
    charts = svgs(html)
    assert len(charts) >= 8  # seven charts and at least one of amounts
    followed = 0
    for svg in charts:
        check_text_alternative(svg)
        for href, count in links(svg):
            url = urlsplit(href)
            assert url.path == "/cases/"
            page = client.get(href)
            assert page.status_code == 200
            assert page.context["total"] == count, href
            followed += 1
    assert followed >= 3
    # Each chart's figures in a table beside it.
    assert html.count("<table") == len(charts)


def test_years_within_a_partial_period_link_to_that_part(client, archive):
    stats = api(client, "/api/v1/stats/?listed_from=2017-06&listed_to=2018")
    years = {bar["value"]: bar for bar in stats["listed"]}
    assert years["2017"]["params"] == {"listed_from": "2017-06", "listed_to": "2017"}
    assert years["2017"]["count"] == 1
    assert years["2018"]["params"] == {"listed_from": "2018", "listed_to": "2018"}


def test_restrictions_not_chosen_are_not_links_when_others_are(client, archive):
    stats = api(client, "/api/v1/stats/?restriction=air_travel")
    kinds = {bar["value"]: bar for bar in stats["restrictions"]}
    assert kinds["air_travel"]["params"] == {"restriction": "air_travel"}
    assert kinds["loans_credit"]["count"] == 1 and kinds["loans_credit"]["params"] is None


def test_chart_csv(client, archive):
    response = client.get("/stats/provinces.csv?restriction=loans_credit")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body(response))))
    counts = {row["value"]: int(row["count"]) for row in rows}
    assert counts["hubei"] == 1 and counts["guangdong"] == 1 and counts["tibet"] == 0
    hubei = next(row for row in rows if row["value"] == "hubei")
    assert QueryDict(urlsplit(hubei["search"]).query).dict() == {
        "restriction": "loans_credit",
        "province": "hubei",
    }
    amounts = list(csv.DictReader(io.StringIO(body(client.get("/stats/amounts.csv")))))
    assert {row["currency"] for row in amounts} == {"CNY", "CAD"}
    assert client.get("/stats/nothing.csv").status_code == 404


def test_search_page_links_its_charts_and_home_shows_two(client, archive):
    page = body(client.get("/cases/?province=guangdong"))
    assert 'href="/stats/?province=guangdong"' in page
    home = client.get("/")
    assert len(svgs(body(home))) == 2
    for svg in svgs(body(home)):
        check_text_alternative(svg)


def test_the_whole_archive_figures_kept_by_the_database_are_the_counted_ones(client, archive):
    """StatsRollup (kept by triggers) against the same figures counted from the cases,
    after each kind of change that moves a case or an amount in or out of public view."""
    from casefile.cases.visibility import public_cases
    from casefile.stats.figures import _archive_extras, _extras

    def agree():
        assert _archive_extras() == _extras(public_cases(), sampled=False)

    agree()
    draft = Case.objects.get(publication_state="draft")
    Case.objects.filter(pk=draft.pk).update(publication_state="published")  # published
    agree()
    assert _archive_extras()["removed"][2022] == 1
    public = Case.objects.published().filter(amounts__kind="owed").first()
    make_amount(public, kind="owed", value=Decimal("33"), currency="CNY")  # an amount added
    public.amounts.filter(value=Decimal("33")).update(value=Decimal("4400"))  # changed
    agree()
    public.person.privacy = "withheld"  # its person withheld: the case leaves
    public.person.save()
    agree()
    Case.objects.filter(pk=draft.pk).update(
        removed_on=None, removed_on_precision="", status="removed"
    )
    agree()
    Case.objects.filter(pk=draft.pk).delete()  # deleted, amounts first
    agree()
    # The rows folded into one per value say the same.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT casefile_compact_stats_rollup()")
    agree()


def test_every_string_of_the_statistics_has_its_chinese_translation(client, archive):
    import gettext
    from pathlib import Path

    from django.utils import translation

    folder = Path("casefile/stats/locale/zh_Hans/LC_MESSAGES")
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    entries = {key: text for key, text in compiled.items() if key}
    # Every entry of the catalogue is compiled (the .mo is not stale) and translated.
    po = (folder / "django.po").read_text()
    assert len(entries) == len(re.findall(r'^msgid "', po, re.M)) - 1 > 50
    assert all(text.strip() for text in entries.values())
    with translation.override("zh-hans"):
        page = body(client.get("/zh-hans/stats/?province=guangdong"))
        assert "按省份统计的案例" in page and "本次搜索的统计" in page
        assert "Cases by province" not in page
        assert ">广东</text>" in page and ">GD</text>" not in page  # the tiles' names
        for svg in svgs(page):
            check_text_alternative(svg)


def test_the_page_ignores_an_unknown_parameter_as_the_search_page_does(client, archive):
    response = client.get("/stats/?provnce=hubei&province=guangdong")
    assert response.status_code == 200
    page = body(response)
    assert "<code>provnce</code>" in page and "<code>province</code>" in page
    assert "provnce" not in re.sub(r"<code>provnce</code>", "", page)  # in no link
    assert response.context["figures"].total == 2
