"""Load the demo dataset (casefile.cases.demo) idempotently.

Rows are found by natural keys and written only when a value differs, so a
second run changes nothing (not even timestamps).
"""

from decimal import Decimal

import pghistory
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casefile.cases import demo
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.services import PublicationBlocked, missing_citations, refuse_name_leaks
from casefile.cases.vocabularies import PublicationState
from casefile.core.dates import PartialDate
from casefile.people.models import Person
from casefile.sources.models import Source, SourceCapture

PARTIAL_DATES = {"published", "listed", "discovered", "removed", "started", "ended", "occurred"}


def _typed(values: dict) -> dict:
    typed = {}
    for key, value in values.items():
        if key in PARTIAL_DATES:
            value = PartialDate.parse(value)
        elif key in ("value", "value_cny"):
            value = Decimal(value)
        elif key == "captured_at":
            value = parse_datetime(value)
        typed[key] = value
    return typed


def _upsert(model, lookup: dict, values: dict, counts: dict):
    values = _typed(values)
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup)
        for key, value in values.items():
            setattr(instance, key, value)
        counts["created"] += 1
    else:
        changed = {key for key, value in values.items() if getattr(instance, key) != value}
        if not changed:
            return instance
        for key in changed:
            setattr(instance, key, values[key])
        counts["updated"] += 1
    instance.full_clean()
    instance.save()
    return instance


def _cite(case, capture, counts, *, claim=None, case_field="", quote=""):
    lookup = {"case": case, "capture": capture, "case_field": case_field}
    if claim is not None:
        lookup[type(claim).__name__.lower()] = claim
    return _upsert(Citation, lookup, {"quote": quote}, counts)


@transaction.atomic
def load_demo() -> dict:
    """Create or update the demo records; return counts of rows created and updated."""
    counts = {"created": 0, "updated": 0}
    source = _upsert(
        Source, {"url": demo.ARTICLE_URL}, {**demo.SOURCE, "url": demo.ARTICLE_URL}, counts
    )
    captures = {
        key: _upsert(
            SourceCapture,
            {"source": source, "captured_at": parse_datetime(values["captured_at"])},
            {key: value for key, value in values.items() if key != "captured_at"},
            counts,
        )
        for key, values in demo.CAPTURES.items()
    }
    main_capture = captures[demo.LATER]

    for spec in demo.CASES:
        existing = Case.objects.filter(public_id=spec["public_id"]).select_related("person").first()
        if existing:
            person = _upsert(Person, {"pk": existing.person_id}, spec["person"], counts)
        else:
            person = _upsert(Person, {"pk": None}, spec["person"], counts)
        # A new case is written as a draft with all its parts and citations, and only
        # then published, like an editor's: its public change log starts complete.
        case = _upsert(
            Case, {"public_id": spec["public_id"]}, {**spec["fields"], "person": person}, counts
        )

        for field in spec["case_fields"]:
            _cite(case, main_capture, counts, case_field=field)
        for part_model, key in (
            (Restriction, "restrictions"),
            (Amount, "amounts"),
            (Event, "events"),
        ):
            for part_spec in spec[key]:
                part_spec = dict(part_spec)
                capture = captures[part_spec.pop("cite", demo.LATER)]
                quote = part_spec.pop("quote", "")
                natural_key = _natural_key(part_model, _typed(part_spec))
                part = _upsert(part_model, {"case": case, **natural_key}, part_spec, counts)
                _cite(case, capture, counts, claim=part, quote=quote)
        _publish(case)
    return counts


def _publish(case: Case) -> None:
    """Publish a demo case the first time, under the same rules as a reviewer: the
    citations, and no real name of a pseudonymised person."""
    case.refresh_from_db()
    if case.publication_state == PublicationState.PUBLISHED:
        return
    missing = missing_citations(case)
    if missing:
        raise PublicationBlocked(case=case, missing=missing)
    refuse_name_leaks(case)
    with pghistory.context(action="load_demo"):
        case.publication_state = PublicationState.PUBLISHED
        case.published_at = timezone.now()
        case.save()


def _natural_key(part_model, values: dict) -> dict:
    if part_model is Restriction:
        return {"kind": values["kind"]}
    if part_model is Amount:
        return {key: values[key] for key in ("kind", "value", "currency")}
    occurred = values["occurred"]
    return {"kind": values["kind"], "occurred_on": occurred.date}
