"""Small factories: each makes a valid row with sensible defaults, overridable by keyword."""

import datetime
import itertools

from django.utils import timezone

from casefile.authorities.models import Authority
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.people.models import Person
from casefile.sources.models import CaptureFile, Source, SourceCapture

_counter = itertools.count(1)


def make_person(**fields) -> Person:
    defaults = {"name_original": "王小明", "privacy": "public"}
    return Person.objects.create(**{**defaults, **fields})


def make_authority(**fields) -> Authority:
    n = next(_counter)
    defaults = {
        "name": f"Intermediate People's Court no. {n}",
        "province": "hubei",
        "city": "Wuhan",
    }
    return Authority.objects.create(**{**defaults, **fields})


def make_source(**fields) -> Source:
    n = next(_counter)
    defaults = {
        "kind": "news_article",
        "title": f"Report number {n}",
        "outlet": "Example Daily",
        "url": f"https://news.example.org/{n}",
    }
    return Source.objects.create(**{**defaults, **fields})


def make_capture(source=None, **fields) -> SourceCapture:
    n = next(_counter)
    defaults = {"captured_at": timezone.now() - datetime.timedelta(days=n)}
    return SourceCapture.objects.create(source=source or make_source(), **{**defaults, **fields})


def make_case(person=None, **fields) -> Case:
    """A case, published unless told otherwise. A retracted case is made as the workflow
    makes one: published first (so it was public), then retracted."""
    defaults = {
        "list_name": "spc_dishonest_debtors",
        "offence_category": "unpaid_debt",
        "status": "listed",
        "publication_state": "published",
        "summary": "Listed for an unpaid debt.",
    }
    values = {**defaults, **fields}
    if values["publication_state"] != "retracted":
        return Case.objects.create(person=person or make_person(), **values)
    case = Case.objects.create(
        person=person or make_person(), **{**values, "publication_state": "published"}
    )
    Case.objects.filter(pk=case.pk).update(
        publication_state="retracted",
        retracted_at=values.get("retracted_at") or timezone.now(),
        retraction_note=values.get("retraction_note") or "Retracted.",
    )
    case.refresh_from_db()
    return case


def make_restriction(case, **fields) -> Restriction:
    return Restriction.objects.create(case=case, **{"kind": "air_travel", **fields})


def make_amount(case, **fields) -> Amount:
    return Amount.objects.create(
        case=case, **{"kind": "owed", "value": 100, "currency": "CNY", **fields}
    )


def make_event(case, **fields) -> Event:
    defaults = {
        "kind": "listed",
        "occurred_on": datetime.date(2017, 1, 1),
        "occurred_on_precision": "year",
        "description": "Listed.",
    }
    return Event.objects.create(case=case, **{**defaults, **fields})


def make_citation(case, capture=None, **fields) -> Citation:
    if not any(fields.get(key) for key in ("restriction", "amount", "event", "case_field")):
        fields["case_field"] = "summary"
    return Citation.objects.create(case=case, capture=capture or make_capture(), **fields)


def make_capture_file(capture=None, **fields) -> CaptureFile:
    """A row of a kept file without bytes in the store (for what reads rows only); tests
    of files themselves attach real bytes (tests/capture_support.py)."""
    n = next(_counter)
    digest = fields.pop("sha256", None) or f"{n:064x}"
    defaults = {
        "sha256": digest,
        "size": 1234,
        "media_type": "application/pdf",
        "storage_name": f"{digest[:2]}/{digest[2:4]}/{digest}.pdf",
        "text_status": "empty",
    }
    return CaptureFile.objects.create(capture=capture or make_capture(), **{**defaults, **fields})
