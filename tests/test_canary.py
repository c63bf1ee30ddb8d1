"""The canary: an archive seeded with everything the public must never see, and every
public URL pattern of the project requested against it.

The patterns come from the URL configuration itself: a new public surface fails
test_every_public_url_pattern_is_covered until SURFACES says how to request it, and
is then checked like the others. Each response must hold no canary string (a hidden
person's names in every form, a draft's text, internal notes, a capture or authority
only drafts use), no hidden case's id, and no count that includes hidden cases.
"""

import json
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, quote, quote_plus, urlencode, urlsplit

import pytest
from django.http import QueryDict
from django.urls import LocalePrefixPattern, URLPattern, URLResolver, get_resolver

from casefile.cases.feeds import is_filtered
from casefile.cases.models import Case
from casefile.people.models import Person
from casefile.stats.presenters import SLUGS as STATS_CHARTS
from tests.api_support import body
from tests.capture_support import html, keep
from tests.factories import (
    make_authority,
    make_capture,
    make_case,
    make_citation,
    make_person,
    make_restriction,
    make_source,
)

pytestmark = pytest.mark.django_db

# A pseudonymised person's real name and alias, in every form a researcher might type.
PSEUDONYMISED_FORMS = [
    "陈秘华",  # simplified
    "陳秘華",  # traditional
    "Chen Mihua",
    "Chén Mìhuá",
    "chen2 mi4 hua2",
    "chenmihua",
    "Mihua Chen",
    "Ah Wah Chan",  # alias
]
WITHHELD_FORMS = ["张隐藏", "張隱藏", "Zhang Yincang", "zhangyincang", "Yincang Zhang"]
DRAFT_PERSON_FORMS = ["刘草稿", "劉草稿", "Liu Caogao", "liucaogao"]
CANARY_TEXTS = [
    "canary-draft-summary",
    "canary-review-summary",
    "canary-withheld-summary",
    "canary-retracted-summary",
    "canary-note",
    "Canary Court Only Drafts Use",
    "canary-capture-label-drafts-only",
    "archive.example.org/canary",
    "canary-source-title-drafts-only",
    "(2099)canary001",
    # Kept files no public URL may serve: of a source shared never, of a pseudonymised
    # person's case (its text names her: 陈秘华 above), of a capture only drafts cite.
    "canary-file-never-shared",
    "canary-file-pseudonymised",
    "canary-file-drafts-only",
]
CANARY_STRINGS = PSEUDONYMISED_FORMS + WITHHELD_FORMS + DRAFT_PERSON_FORMS + CANARY_TEXTS


@dataclass
class World:
    public: Case
    pseudonymised: Case
    draft: Case
    in_review: Case
    retracted: Case
    withheld: Case
    shared_source_id: int
    hidden_authority_id: int
    hidden_source_id: int
    capture_ids: list[int]
    files: list[tuple[int, str]]  # (capture id, SHA-256) of every kept file
    shared_file: tuple[int, str]  # the one file the public may download
    hidden_digests: list[str]  # digests of files of captures no public case cites

    @property
    def hidden_ids(self) -> list[str]:
        """Ids that were never public: nothing may name them."""
        return [self.draft.public_id, self.in_review.public_id, self.withheld.public_id]

    @property
    def public_ids(self) -> list[str]:
        return [self.public.public_id, self.pseudonymised.public_id]


@pytest.fixture
def world() -> World:
    court = make_authority(name="Wuhan Intermediate People's Court")
    shared_source = make_source(
        title="A report both kinds of case cite", notes="canary-note", sharing="public"
    )
    public = make_case(
        person=make_person(name_original="刘虎", privacy="public", notes="canary-note"),
        authority=court,
        summary="A journalist listed after a defamation verdict.",
        notes="canary-note",
    )
    make_restriction(public, kind="air_travel")
    first_published = make_capture(shared_source, label="as first published")
    make_citation(public, first_published)
    # The control: the one kept file anyone may download (a public figure's, shared).
    shared_file = keep(first_published, html("<p>The article as first published.</p>"))
    # A file of a source whose files are never shared, cited by the public case.
    unshared = make_capture(make_source(title="A copyrighted report", sharing="never"))
    make_citation(public, unshared, case_field="listing")
    never_file = keep(unshared, b"canary-file-never-shared: the report's full text")

    pseudonymised = make_case(
        person=make_person(
            name_original="陈秘华",
            name_romanized="Chen Mihua",
            aliases=["Ah Wah Chan"],
            privacy="pseudonymised",
            pseudonym="Unnamed woman, Hubei",
            notes="canary-note",
        ),
        authority=court,
        summary="Listed over an unpaid rent.",
    )
    revised = make_capture(shared_source, label="revised version")
    make_citation(pseudonymised, revised)
    # Shared publicly, but a file of a pseudonymised person's case: never public.
    named_file = keep(revised, "canary-file-pseudonymised: 陈秘华 was listed".encode())

    # What only drafts use: an authority, a source, and a capture of the shared source.
    hidden_court = make_authority(name="Canary Court Only Drafts Use", province="tibet")
    hidden_source = make_source(title="canary-source-title-drafts-only")
    hidden = {}
    for state, summary in [
        ("draft", "canary-draft-summary"),
        ("in_review", "canary-review-summary"),
        ("retracted", "canary-retracted-summary"),
    ]:
        case = make_case(
            person=make_person(name_original="刘草稿", name_romanized="Liu Caogao"),
            publication_state=state,
            summary=summary,
            authority=hidden_court,
            docket_number="(2099)canary001",
            offence_category="theft",
        )
        make_restriction(case, kind="ringback_tone")
        make_citation(case, make_capture(hidden_source))
        hidden[state] = case
    drafts_only = make_capture(
        shared_source,
        label="canary-capture-label-drafts-only",
        archive_url="https://archive.example.org/canary",
    )
    make_citation(hidden["draft"], drafts_only)
    drafts_file = keep(drafts_only, html("<p>canary-file-drafts-only</p>"))
    withheld = make_case(
        person=make_person(
            name_original="张隐藏", name_romanized="Zhang Yincang", privacy="withheld"
        ),
        summary="canary-withheld-summary",
        authority=hidden_court,
    )
    make_restriction(withheld, kind="ringback_tone")
    make_citation(withheld, make_capture(hidden_source))
    # The retracted case was public once: its note may say so, never its content.
    Case.objects.filter(pk=hidden["retracted"].pk).update(
        retraction_note="Withdrawn by the editors."
    )
    return World(
        public=public,
        pseudonymised=pseudonymised,
        draft=hidden["draft"],
        in_review=hidden["in_review"],
        retracted=hidden["retracted"],
        withheld=withheld,
        shared_source_id=shared_source.pk,
        hidden_authority_id=hidden_court.pk,
        hidden_source_id=hidden_source.pk,
        capture_ids=[first_published.pk, unshared.pk, revised.pk, drafts_only.pk],
        files=[
            (kept.capture_id, kept.sha256)
            for kept in (shared_file, never_file, named_file, drafts_file)
        ],
        shared_file=(shared_file.capture_id, shared_file.sha256),
        hidden_digests=[drafts_file.sha256],
    )


def case_addresses(world: World, suffix: str = "") -> list[str]:
    cases = [
        world.public,
        world.pseudonymised,
        world.draft,
        world.in_review,
        world.retracted,
        world.withheld,
    ]
    return [f"/cases/{case.public_id}/{suffix}" for case in cases]


def name_searches(prefix: str) -> list[str]:
    return [
        f"{prefix}?q={form}" for form in PSEUDONYMISED_FORMS + WITHHELD_FORMS + DRAFT_PERSON_FORMS
    ]


FILTERS = [
    "restriction=ringback_tone",
    "province=tibet",
    "offence=theft",
    "q=canary",
    "q=(2099)canary001",
]
FEED = "updated_since=2000-01-01T00:00:00Z&page_size=100"
HIDDEN_FORMS = PSEUDONYMISED_FORMS + WITHHELD_FORMS + DRAFT_PERSON_FORMS


def reconciliations(w: World) -> list[str]:
    """Every hidden name form (and the drafts' docket number) as OpenRefine would send it:
    as a person, as a case, both, and narrowed by properties."""
    urls = ["/reconcile"]
    for form in [*HIDDEN_FORMS, "(2099)canary001", w.draft.public_id, w.withheld.public_id]:
        batch = {
            "person": {"query": form, "type": "person"},
            "case": {"query": form, "type": "case", "limit": 25},
            "both": {"query": form, "type": ["person", "case"]},
            "narrowed": {
                "query": form,
                "type": ["person", "case"],
                "properties": [
                    {"pid": "province", "v": ["hubei", "tibet"]},
                    {"pid": "authority", "v": w.hidden_authority_id},
                ],
            },
            "untyped": {"query": form},
        }
        urls.append("/reconcile?" + urlencode({"queries": json.dumps(batch, ensure_ascii=False)}))
    return urls


def entity_ids(w: World) -> list[str]:
    cases = (w.public, w.pseudonymised, w.draft, w.in_review, w.retracted, w.withheld)
    return [f"person-{case.person_id}" for case in cases] + [case.public_id for case in cases]


# How to request each public URL pattern (by name; the API's catch-all has none).
SURFACES = {
    "home": lambda w: ["/"],
    "about": lambda w: ["/about/"],
    "robots": lambda w: ["/robots.txt"],
    "sitemap": lambda w: ["/sitemap.xml"],
    "sitemap-section": lambda w: [
        f"/sitemap-{section}-{page}.xml"
        for section in ("pages", "cases", "people", "authorities", "sources")
        for page in (1, 2)
    ],
    "case-feed": lambda w: [
        "/cases/feed.atom",
        "/cases/feed.atom?ordering=listed",
        *(f"/cases/feed.atom?{f}" for f in FILTERS),
        *name_searches("/cases/feed.atom"),
    ],
    "reconcile:service": reconciliations,
    "reconcile:suggest-entity": lambda w: [
        f"/reconcile/suggest/entity?{urlencode({'prefix': form, 'type': kind})}"
        for form in [*HIDDEN_FORMS, "(2099)canary001", "chen", "陈", "zhang"]
        for kind in ("person", "case")
    ],
    "reconcile:suggest-property": lambda w: ["/reconcile/suggest/property?prefix="],
    "reconcile:suggest-type": lambda w: ["/reconcile/suggest/type?prefix="],
    "reconcile:preview": lambda w: [f"/reconcile/preview?id={key}" for key in entity_ids(w)],
    "reconcile:view": lambda w: [f"/reconcile/view/{key}" for key in entity_ids(w)],
    "case-list": lambda w: [
        "/cases/",
        *(f"/cases/?{f}" for f in FILTERS),
        *name_searches("/cases/"),
    ],
    "stats": lambda w: ["/stats/", *(f"/stats/?{f}" for f in FILTERS), *name_searches("/stats/")],
    "stats-csv": lambda w: [
        f"/stats/{chart}.csv{query}"
        for chart in STATS_CHARTS
        for query in ("", *(f"?{f}" for f in FILTERS))
    ],
    "case-csv": lambda w: ["/cases/export.csv", *(f"/cases/export.csv?{f}" for f in FILTERS)],
    "case-detail": lambda w: case_addresses(w),
    "case-cite": lambda w: [
        url for fmt in ("bib", "ris", "json", "txt") for url in case_addresses(w, f"cite.{fmt}")
    ],
    "case-changes": lambda w: case_addresses(w, "changes/"),
    "person-detail": lambda w: [
        f"/people/{case.person_id}/"
        for case in (w.public, w.pseudonymised, w.draft, w.in_review, w.retracted, w.withheld)
    ],
    "authority-detail": lambda w: [
        f"/authorities/{w.public.authority_id}/",
        f"/authorities/{w.hidden_authority_id}/",
    ],
    "source-detail": lambda w: [
        f"/sources/{w.shared_source_id}/",
        f"/sources/{w.hidden_source_id}/",
    ],
    "capture-detail": lambda w: [f"/captures/{pk}/" for pk in w.capture_ids],
    "capture-file": lambda w: [f"/captures/{pk}/files/{digest}/" for pk, digest in w.files],
    "capture-file-view": lambda w: [
        f"/captures/{pk}/files/{digest}/view/" for pk, digest in w.files
    ],
    "capture-file-frame": lambda w: [
        f"/captures/{pk}/files/{digest}/view/frame" for pk, digest in w.files
    ],
    "api-docs": lambda w: ["/api/docs/"],
    "api:root": lambda w: ["/api/v1/"],
    "api:info": lambda w: ["/api/v1/info/"],
    "api:schema": lambda w: ["/api/v1/schema/"],
    "api:export-ndjson": lambda w: ["/api/v1/exports/cases.ndjson"],
    "api:export-csv": lambda w: ["/api/v1/exports/cases.csv", "/api/v1/exports/cases.csv?bom=1"],
    "api:export-persons-csv": lambda w: ["/api/v1/exports/persons.csv?bom=1"],
    "api:export-sources-csv": lambda w: ["/api/v1/exports/sources.csv"],
    "api:export-citations-csv": lambda w: ["/api/v1/exports/citations.csv"],
    "api:datapackage": lambda w: ["/api/v1/exports/datapackage.json"],
    "api:case-list": lambda w: [
        "/api/v1/cases/?page_size=100",
        f"/api/v1/cases/?{FEED}",
        *(f"/api/v1/cases/?{f}" for f in FILTERS),
        *name_searches("/api/v1/cases/"),
    ],
    "api:case-facets": lambda w: [
        "/api/v1/cases/facets/",
        *(f"/api/v1/cases/facets/?{f}" for f in FILTERS),
    ],
    "api:stats": lambda w: [
        "/api/v1/stats/",
        *(f"/api/v1/stats/?{f}" for f in FILTERS),
        *name_searches("/api/v1/stats/"),
    ],
    "api:case-detail": lambda w: [
        url.replace("/cases/", "/api/v1/cases/") for url in case_addresses(w)
    ],
    "api:person-list": lambda w: ["/api/v1/persons/?page_size=100"],
    "api:person-detail": lambda w: [
        f"/api/v1/persons/{case.person_id}/"
        for case in (w.public, w.pseudonymised, w.draft, w.withheld)
    ],
    "api:authority-list": lambda w: ["/api/v1/authorities/?page_size=100"],
    "api:authority-detail": lambda w: [
        f"/api/v1/authorities/{w.public.authority_id}/",
        f"/api/v1/authorities/{w.hidden_authority_id}/",
    ],
    "api:source-list": lambda w: ["/api/v1/sources/?page_size=100"],
    "api:source-detail": lambda w: [
        f"/api/v1/sources/{w.shared_source_id}/",
        f"/api/v1/sources/{w.hidden_source_id}/",
    ],
    "api:": lambda w: [f"/api/v1/drafts/{w.draft.public_id}/"],  # the catch-all 404
}
# Staff only: the admin, the editorial pages and the editors' API endpoints.
NOT_PUBLIC = ("admin:", "editorial:", "api:editor-")


def _walk(patterns, namespace="", translated=False):
    """(name, whether under the language prefix) of every URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            prefixed = translated or isinstance(pattern.pattern, LocalePrefixPattern)
            yield from _walk(pattern.url_patterns, inner, prefixed)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or ""), translated


def public_url_patterns() -> set[str]:
    return {
        name for name, _ in _walk(get_resolver().url_patterns) if not name.startswith(NOT_PUBLIC)
    }


def translated_url_patterns() -> set[str]:
    """The public patterns that also answer under /zh-hans/: a leak in Chinese is a leak."""
    return {
        name
        for name, translated in _walk(get_resolver().url_patterns)
        if translated and not name.startswith(NOT_PUBLIC)
    }


def test_every_public_url_pattern_is_covered():
    uncovered = public_url_patterns() - SURFACES.keys()
    assert not uncovered, (
        f"Add these public URL patterns to the canary's SURFACES: {sorted(uncovered)}"
    )
    assert not SURFACES.keys() - public_url_patterns(), (
        "SURFACES names patterns that no longer exist"
    )


def test_the_chinese_pages_are_enumerated():
    """The pages answer in Chinese under /zh-hans/ (each is requested there below);
    downloads, the API and the machine-readable documents have one address."""
    translated = translated_url_patterns()
    assert {"home", "case-list", "case-detail", "case-feed", "person-detail"} <= translated
    assert not {"case-csv", "case-cite", "capture-file", "sitemap", "api:case-list"} & translated


def hidden_ids_allowed_in(url: str, world: World) -> list[str]:
    """The retracted case was public: its own addresses (410) and the feeds name it (the
    API's change feed, and the unfiltered search feed, which announces retractions)."""
    parts = urlsplit(url)
    unfiltered_feed = parts.path.removeprefix("/zh-hans") == "/cases/feed.atom" and not (
        is_filtered(QueryDict(parts.query))
    )
    if world.retracted.public_id in url or "updated_since" in url or unfiltered_feed:
        return [world.retracted.public_id]
    return []


def without_echo(text: str, url: str) -> str:
    """The response without the search it repeats back (title, search box, links)."""
    for value in parse_qs(urlsplit(url).query).get("q", []):
        for echo in {value, escape(value), quote(value), quote_plus(value), quote(value, safe="")}:
            text = text.replace(echo, "")
    return text


def chinese_urls(surface: str, world) -> list[str]:
    return [f"/zh-hans{url}" for url in SURFACES[surface](world)]


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_no_public_surface_shows_anything_hidden(client, world, surface):
    check_surface(client, world, SURFACES[surface](world))


@pytest.mark.parametrize("surface", sorted(translated_url_patterns() & SURFACES.keys()))
def test_no_chinese_page_shows_anything_hidden(client, world, surface):
    check_surface(client, world, chinese_urls(surface, world))


def check_surface(client, world, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404, 410), (url, response.status_code)
        # A redirect (a reconciled id's page) says where: that is checked too.
        text = without_echo(body(response) + response.get("Location", ""), url)
        for canary in CANARY_STRINGS:
            assert canary.lower() not in text.lower(), (url, canary)
        forbidden_ids = world.hidden_ids
        if world.retracted.public_id not in hidden_ids_allowed_in(url, world):
            forbidden_ids = [*forbidden_ids, world.retracted.public_id]
        for public_id in forbidden_ids:
            assert public_id not in text, (url, public_id)
        for digest in world.hidden_digests:
            assert digest not in text, (url, "the digest of a file only drafts cite")
        if response.status_code == 410:
            assert world.retracted.public_id in url
            assert "Withdrawn by the editors." in text


def test_hidden_cases_and_what_only_they_use_are_not_found(client, world):
    for case in (world.draft, world.in_review, world.withheld):
        assert client.get(f"/cases/{case.public_id}/").status_code == 404
        assert client.get(f"/api/v1/cases/{case.public_id}/").status_code == 404
    assert client.get(f"/cases/{world.retracted.public_id}/").status_code == 410
    for url in (
        f"/authorities/{world.hidden_authority_id}/",
        f"/sources/{world.hidden_source_id}/",
        f"/people/{world.withheld.person_id}/",
        f"/people/{world.draft.person_id}/",
        f"/api/v1/authorities/{world.hidden_authority_id}/",
        f"/api/v1/sources/{world.hidden_source_id}/",
        f"/api/v1/persons/{world.withheld.person_id}/",
    ):
        assert client.get(url).status_code == 404, url


def test_every_count_is_of_public_cases_only(client, world):
    assert set(Case.objects.published().values_list("public_id", flat=True)) == set(
        world.public_ids
    )
    # The shared source, and the copyrighted one the public case also cites.
    expected = {"cases": 2, "persons": 2, "authorities": 1, "sources": 2}
    assert client.get("/api/v1/info/").json()["counts"] == expected
    facets = client.get("/api/v1/cases/facets/").json()
    assert facets["total"] == 2
    for name in ("restriction", "offence", "province", "status", "list", "notified", "year"):
        assert sum(item["count"] for item in facets[name] if name != "restriction") <= 2
    assert {item["value"] for item in facets["province"]} == {"hubei"}
    assert [item["value"] for item in facets["restriction"]] == ["air_travel"]
    home = client.get("/").text
    assert "<strong>2</strong> published cases" in home
    assert "<strong>2</strong> people" in home
    assert "<strong>2</strong> sources cited" in home
    listed = {case["id"] for case in client.get("/api/v1/cases/?page_size=100").json()["results"]}
    assert listed == set(world.public_ids)
    for query in FILTERS:
        assert client.get(f"/api/v1/cases/facets/?{query}").json()["total"] == 0, query
        stats = client.get(f"/api/v1/stats/?{query}").json()
        assert stats["total"] == 0 and stats["amounts"] == [], query
        assert not any(bar["count"] for bar in stats["provinces"] + stats["listed"]), query
    stats = client.get("/api/v1/stats/").json()
    assert stats["total"] == 2
    assert {bar["value"] for bar in stats["provinces"] if bar["count"]} == {"hubei"}
    assert [bar["value"] for bar in stats["restrictions"]] == ["air_travel"]
    assert [bar["value"] for bar in stats["offences"]] == ["unpaid_debt"]
    shared = client.get(f"/api/v1/sources/{world.shared_source_id}/").json()
    assert {capture["label"] for capture in shared["captures"]} == {
        "as first published",
        "revised version",
    }


@pytest.mark.parametrize("form", PSEUDONYMISED_FORMS + WITHHELD_FORMS + DRAFT_PERSON_FORMS)
def test_no_name_form_of_a_hidden_person_finds_anything(client, world, form):
    assert client.get("/api/v1/cases/", {"q": form}).json()["results"] == []
    assert client.get("/api/v1/cases/facets/", {"q": form}).json()["total"] == 0
    page = client.get("/cases/", {"q": form})
    assert page.status_code == 200
    assert world.pseudonymised.public_id not in page.text


def test_only_the_shared_file_is_reachable_and_the_others_are_really_kept(client, world):
    """Guards the canary's files: the control is served, the others exist and are not."""
    from casefile.sources.models import CaptureFile

    assert CaptureFile.objects.count() == len(world.files) == 4
    for pk, digest in world.files:
        response = client.get(f"/captures/{pk}/files/{digest}/")
        assert response.status_code == (200 if (pk, digest) == world.shared_file else 404)
    pk, digest = world.shared_file
    assert client.get(f"/captures/{pk}/files/{digest}/view/frame").status_code == 200
    never = CaptureFile.objects.get(capture__source__title="A copyrighted report")
    assert b"canary-file-never-shared" in never.capture.files.get().text.encode()
    case_page = client.get(world.public.get_absolute_url()).text
    assert never.sha256 in case_page  # its facts are public; its bytes are not


def test_the_fixture_really_holds_what_it_hides(world):
    """Guards the canary against a fixture that hides nothing (a test that cannot fail)."""
    assert Person.objects.filter(name_original="陈秘华", privacy="pseudonymised").exists()
    assert Case.objects.filter(summary="canary-draft-summary", publication_state="draft").exists()
    assert Case.objects.filter(pk=world.retracted.pk, first_public_at__isnull=False).exists()
    assert Case.objects.filter(pk=world.withheld.pk, publication_state="published").exists()


def test_draft_work_moves_no_public_timestamp_or_etag(client, world):
    def snapshot():
        listing = client.get("/api/v1/cases/")
        feed = client.get(f"/api/v1/cases/?{FEED}")
        return {
            "info": client.get("/api/v1/info/").json()["last_modified"],
            "list": (listing["ETag"], listing["Last-Modified"]),
            "facets": client.get("/api/v1/cases/facets/")["ETag"],
            "feed": (feed["ETag"], feed.json()["results"]),
            "export": client.get("/api/v1/exports/cases.csv")["ETag"],
            "tables": [
                client.get(f"/api/v1/exports/{name}")["ETag"]
                for name in ("persons.csv", "sources.csv", "citations.csv", "datapackage.json")
            ],
            "search feed": client.get("/cases/feed.atom")["ETag"],
            "filtered feed": client.get("/cases/feed.atom?province=tibet")["ETag"],
            "sitemap": client.get("/sitemap.xml")["ETag"],
        }

    before = snapshot()
    draft = Case.objects.get(pk=world.draft.pk)
    draft.summary = "canary-draft-summary, edited"
    draft.save()
    make_restriction(draft, kind="loans_credit")
    Case.objects.filter(pk=world.in_review.pk).update(publication_state="draft")
    Case.objects.filter(pk=world.withheld.pk).update(summary="canary-withheld-summary, edited")
    make_case(publication_state="draft", summary="canary-draft-summary, new")
    Case.objects.filter(pk=world.draft.pk).delete()
    assert snapshot() == before
