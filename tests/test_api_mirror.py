"""A real client mirrors the API the way an NGO would: bulk export, then change-feed
increments while cases are added, edited, retracted, deleted and a person withheld.
It talks HTTP to a live server with nothing but the standard library."""

import json
import urllib.parse
import urllib.request

import pytest
from django.core.cache import cache

from casefile.authorities.models import Authority
from casefile.cases.models import Case
from casefile.people.models import Person
from casefile.sources.models import Source
from tests.api_support import rich_case
from tests.factories import make_amount, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db(transaction=True)


class Mirror:
    """What a partner's script keeps: every published case by id, and a watermark."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cases: dict[str, dict] = {}
        self.watermark = None
        self.requests = 0

    def get(self, url: str) -> bytes:
        self.requests += 1
        with urllib.request.urlopen(urllib.parse.urljoin(self.base_url, url)) as response:
            assert response.status == 200
            return response.read()

    def info(self) -> dict:
        return json.loads(self.get("/api/v1/info/"))

    def load(self):
        """First run: note the watermark, then take the bulk export."""
        info = self.info()
        self.watermark = info["feed_watermark"]
        for line in self.get(info["exports"]["ndjson"]).decode().splitlines():
            case = json.loads(line)
            self.cases[case["id"]] = case

    def sync(self):
        """Each later run: new watermark first, then the feed since the previous one."""
        next_watermark = self.info()["feed_watermark"]
        query = urllib.parse.urlencode({"updated_since": self.watermark, "page_size": 3})
        url = f"/api/v1/cases/?{query}"
        while url:
            page = json.loads(self.get(url))
            for item in page["results"]:
                if item["state"] == "published":
                    self.cases[item["id"]] = item
                else:
                    self.cases.pop(item["id"], None)
            url = page["next"]
        self.watermark = next_watermark


def server_state(base_url: str) -> dict[str, dict]:
    text = urllib.request.urlopen(f"{base_url}/api/v1/exports/cases.ndjson").read().decode()
    cases = {}
    for line in text.splitlines():
        case = json.loads(line)
        cases[case["id"]] = case
    return cases


def test_a_mirror_ends_with_exactly_the_published_data(live_server):
    cache.clear()
    liu = rich_case()
    rent = make_case(
        person=make_person(name_original="王某", privacy="pseudonymised", pseudonym="W."),
        summary="Rent.",
    )
    debt = make_case(summary="Debt.")
    fine = make_case(summary="Fine.")
    draft = make_case(summary="Draft.", publication_state="draft")

    mirror = Mirror(live_server.url)
    mirror.load()
    assert set(mirror.cases) == {liu.public_id, rent.public_id, debt.public_id, fine.public_id}

    # Round 1: added, edited (field and part), retracted, person withheld, deleted.
    added = make_case(summary="Added later.")
    debt.summary = "Debt, corrected."
    debt.save()
    make_restriction(liu, kind="luxury_hotels")
    fine.publication_state = "retracted"
    fine.save()
    Person.objects.filter(pk=rent.person_id).update(privacy="withheld")
    Case.objects.filter(pk=added.pk).delete()
    make_amount(draft, value=10)  # a draft's change: never shown
    mirror.sync()
    assert mirror.cases == server_state(live_server.url)
    assert set(mirror.cases) == {liu.public_id, debt.public_id}
    assert mirror.cases[debt.public_id]["summary"] == "Debt, corrected."

    # Round 2: a draft published, names of an authority and a source changed, a
    # withheld person shown again under a pseudonym, and nothing else.
    Case.objects.filter(pk=draft.pk).update(publication_state="published")
    Authority.objects.filter(pk=liu.authority_id).update(name="Renamed court")
    Source.objects.filter(title="Court notice").update(title="Court notice (corrected)")
    Person.objects.filter(pk=rent.person_id).update(privacy="pseudonymised")
    mirror.sync()
    server = server_state(live_server.url)
    assert mirror.cases == server
    assert set(server) == {liu.public_id, debt.public_id, draft.public_id, rent.public_id}
    assert mirror.cases[liu.public_id]["authority"]["name"] == "Renamed court"
    assert mirror.cases[rent.public_id]["person"]["name"] == "W."

    # Round 3: nothing changed; the mirror stays equal, and each record is what the
    # detail endpoint serves.
    mirror.sync()
    assert mirror.cases == server_state(live_server.url)
    for public_id, case in mirror.cases.items():
        assert json.loads(mirror.get(f"/api/v1/cases/{public_id}/")) == case
