"""Reading a case's history: the rows the database's history triggers wrote.

Every insert, update and delete of a case, its parts (restrictions, amounts, events,
citations) and its person leaves a snapshot row in `<Model>Change` (see
casefile.core.history). This module turns those snapshots into what people read:

- `case_history()`: every change, grouped by the request or command that made it, with
  who, when, and each field's value before and after (reviewers only);
- `changes_since()`: what changed after the version an editor loaded (the "someone
  else saved meanwhile" report);
- `public_change_log()`: dates and the names of what changed, for the public.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casefile.authorities.models import Authority
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.visibility import is_public_figure, public_name
from casefile.cases.vocabularies import PublicationState
from casefile.people.models import Person
from casefile.sources.models import CaptureFile, Source, SourceCapture

# The parts of a case, in the order a restore writes them (citations point at the others).
PART_MODELS: dict[str, type[models.Model]] = {
    "restriction": Restriction,
    "amount": Amount,
    "event": Event,
    "citation": Citation,
}

# Bookkeeping columns: they change with every write and say nothing a reader needs.
BOOKKEEPING_FIELDS = {"id", "created_at", "updated_at"}

# What the public change log may name. Everything else (notes, the review comment, the
# import key, the workflow's own columns) is internal.
PUBLIC_CASE_FIELDS = {
    "person": _("Person"),
    "list_name": _("List"),
    "authority": _("Listing authority"),
    "docket_number": _("Docket number"),
    "reason_original": _("Stated reason"),
    "reason_en": _("Stated reason (English)"),
    "offence_category": _("Offence category"),
    "status": _("Status"),
    "listed_on": _("Date listed"),
    "listed_on_precision": _("Date listed"),
    "discovered_on": _("Date discovered"),
    "discovered_on_precision": _("Date discovered"),
    "removed_on": _("Date removed"),
    "removed_on_precision": _("Date removed"),
    "notified": _("Whether the person was notified"),
    "appeal_available": _("Appeal"),
    "appeal_attempted": _("Appeal"),
    "summary": _("Summary"),
    "narrative": _("Narrative"),
    "outcome": _("Outcome"),
}

# Records a case shows beside its own fields: (model, name in the history, name in the
# public change log). Their editors' notes are internal.
SHOWN_RECORDS = {
    "authority": (Authority, "Authority", _("Listing authority")),
    "source": (Source, "Source", _("Cited source")),
    "capture": (SourceCapture, "Source capture", _("Cited source capture")),
}
INTERNAL_FIELDS = {"notes"}
# Steps that correct a published case as such: the public log says "Corrected".
CORRECTIONS = {"import_correction"}

ACTION_LABELS = {
    "submit_for_review": "Submitted for review",
    "publish": "Published",
    "send_back": "Sent back to draft",
    "retract": "Retracted",
    "restore": "Restored an earlier version",
    "merge_people": "Merged two person records",
    "import": "Spreadsheet import",
    "import_correction": "Correction by a spreadsheet import (a reviewer's)",
    "clean_text": "Line breaks normalised, control characters removed (data migration)",
}


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str


@dataclass
class Change:
    """One snapshot row: an object inserted, updated or deleted, with its field diffs."""

    at: datetime.datetime
    kind: str  # "case", "person" or a part name
    operation: str  # "insert", "update" or "delete"
    object_id: int
    description: str
    fields: list[FieldChange]
    context_id: str | None
    metadata: dict
    event: models.Model
    previous: dict = field(default_factory=dict)  # the row's values before, if recorded

    @property
    def verb(self) -> str:
        return {"insert": "added", "update": "changed", "delete": "removed"}[self.operation]


@dataclass
class ChangeGroup:
    """The changes one request, command or statement made together."""

    at: datetime.datetime
    changes: list[Change] = field(default_factory=list)
    user: str = ""
    action: str = ""

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, "")


def _event_model(model: type[models.Model]) -> type[models.Model]:
    return model.pgh_event_models["insert"]


def _display(model: type[models.Model], name: str, value) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or "—"
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    if model_field.is_relation:
        return f"#{value}"
    return str(value)


def _snapshot(event, model) -> dict:
    return {
        model_field.attname: getattr(event, model_field.attname)
        for model_field in model._meta.concrete_fields
        if hasattr(event, model_field.attname)
    }


def _describe(kind: str, model, values: dict) -> str:
    if kind == "case":
        return f"Case {values.get('public_id', '')}"
    if kind == "person":
        return f"Person #{values['id']}"
    if kind in SHOWN_RECORDS:
        return f"{SHOWN_RECORDS[kind][1]} #{values['id']}"
    if kind == "capturefile":
        return f"Kept file #{values['id']} of capture #{values['capture_id']}"
    if kind == "citation":
        claim = (
            f"restriction #{values['restriction_id']}"
            if values.get("restriction_id")
            else f"amount #{values['amount_id']}"
            if values.get("amount_id")
            else f"event #{values['event_id']}"
            if values.get("event_id")
            else _display(model, "case_field", values.get("case_field"))
        )
        return f"Citation #{values['id']} of capture #{values['capture_id']} for {claim}"
    return f"{model._meta.verbose_name.capitalize()} #{values['id']}: " + _display(
        model, "kind", values.get("kind")
    )


def _changes_for(kind: str, model, events) -> list[Change]:
    """Diff each snapshot against the previous snapshot of the same object."""
    changes = []
    previous: dict[int, dict] = {}
    for event in events:
        values = _snapshot(event, model)
        before = previous.get(event.pgh_obj_id, {})
        operation = event.pgh_label
        field_changes = []
        for model_field in model._meta.concrete_fields:
            name = model_field.attname
            if name not in values or model_field.name in BOOKKEEPING_FIELDS:
                continue
            if operation == "insert":
                old, new = None, values[name]
            elif operation == "delete":
                old, new = values[name], None
            else:
                old, new = before.get(name), values[name]
            if old != new and not (old in (None, "", []) and new in (None, "", [])):
                field_changes.append(
                    FieldChange(
                        name=model_field.name,
                        label=str(model_field.verbose_name),
                        before=_display(model, model_field.name, old),
                        after=_display(model, model_field.name, new),
                    )
                )
        previous[event.pgh_obj_id] = values
        context = event.pgh_context
        changes.append(
            Change(
                at=event.pgh_created_at,
                kind=kind,
                operation=operation,
                object_id=event.pgh_obj_id,
                description=_describe(kind, model, values),
                fields=field_changes,
                context_id=str(event.pgh_context_id) if event.pgh_context_id else None,
                metadata=context.metadata if context else {},
                event=event,
                previous=before,
            )
        )
    return changes


def case_changes(case: Case, *, after: datetime.datetime | None = None) -> list[Change]:
    """Every recorded change of the case, its parts, its person, its authority and the
    sources and captures it cites, oldest first.

    Diffs need the snapshot before each change, so all snapshots are read and those
    up to `after` are dropped at the end. A case's own update that changed nothing but
    `updated_at` (a part was written) is a version marker, not a change: it is left out.
    """
    cited = Citation.objects.filter(case=case).values("capture_id")
    sources = [
        ("case", Case, _event_model(Case).objects.filter(pgh_obj_id=case.pk)),
        ("person", Person, _event_model(Person).objects.filter(pgh_obj_id=case.person_id)),
        (
            "authority",
            Authority,
            _event_model(Authority).objects.filter(pgh_obj_id=case.authority_id),
        ),
        (
            "capture",
            SourceCapture,
            _event_model(SourceCapture).objects.filter(pgh_obj_id__in=cited),
        ),
        (
            "source",
            Source,
            _event_model(Source).objects.filter(
                pgh_obj_id__in=SourceCapture.objects.filter(id__in=cited).values("source_id")
            ),
        ),
        (
            "capturefile",
            CaptureFile,
            _event_model(CaptureFile).objects.filter(capture_id__in=cited),
        ),
        *(
            (kind, model, _event_model(model).objects.filter(case_id=case.pk))
            for kind, model in PART_MODELS.items()
        ),
    ]
    changes: list[Change] = []
    for kind, model, events in sources:
        ordered = events.select_related("pgh_context").order_by("pgh_created_at", "pgh_id")
        changes.extend(_changes_for(kind, model, ordered))
    changes = [c for c in changes if c.fields or c.operation != "update"]
    if after is not None:
        changes = [c for c in changes if c.at > after]
    return sorted(changes, key=lambda change: change.at)


def group_changes(changes: list[Change]) -> list[ChangeGroup]:
    """Group consecutive changes made in one context (one request or command)."""
    users = _usernames({c.metadata.get("user") for c in changes if c.metadata.get("user")})
    groups = []
    for context_id, members in groupby(changes, key=lambda c: c.context_id or id(c)):
        members = list(members)
        metadata = members[0].metadata
        groups.append(
            ChangeGroup(
                at=members[-1].at,
                changes=members,
                user=users.get(metadata.get("user"), "") if context_id else "",
                action=metadata.get("action", ""),
            )
        )
    return groups


def _usernames(ids: set) -> dict:
    User = get_user_model()
    return dict(User.objects.filter(pk__in=ids).values_list("pk", User.USERNAME_FIELD))


def case_history(case: Case) -> list[ChangeGroup]:
    """The full history of a case for reviewers, newest first."""
    return list(reversed(group_changes(case_changes(case))))


def version_time(version: str) -> datetime.datetime | None:
    """The updated_at a version token stands for (see Case.version), or None."""
    try:
        stamp = version.split(".", 1)[1]
        parsed = datetime.datetime.strptime(stamp, "%Y%m%d%H%M%S%f")
    except (AttributeError, IndexError, ValueError):
        return None
    return parsed.replace(tzinfo=datetime.UTC)


def changes_since(case: Case, version: str) -> list[ChangeGroup]:
    """What changed after the version a reader loaded, oldest first.

    The history row of the case whose updated_at is the loaded version is the last
    write the reader saw; everything recorded after it is news to them.
    """
    loaded_at = version_time(version)
    if loaded_at is None:
        return group_changes(case_changes(case))
    seen = (
        _event_model(Case)
        .objects.filter(pgh_obj_id=case.pk, updated_at=loaded_at)
        .order_by("-pgh_created_at")
        .values_list("pgh_created_at", flat=True)
        .first()
    )
    return group_changes(case_changes(case, after=seen or loaded_at))


@dataclass
class PublicLogEntry:
    date: datetime.date
    items: list[str]


def public_change_log(case: Case) -> list[PublicLogEntry]:
    """Dates and what changed, for anyone: never who, never values, never internal fields.

    Nothing before the case's first publication is listed: drafts may hold unverified
    claims or names later withheld, and even the dates of draft edits say who worked
    on what when. The person's own record is left out too: a change to a name or a
    privacy level would hint at the name. Newest first.
    """
    first_published = case.published_at
    if first_published is None:
        return []
    by_day: dict[datetime.date, list[str]] = defaultdict(list)
    by_day[first_published.date()].append(gettext("First published"))
    for change in case_changes(case, after=first_published):
        for item in _public_items(change):
            if item not in by_day[change.at.date()]:
                by_day[change.at.date()].append(item)
    return [PublicLogEntry(date=day, items=by_day[day]) for day in sorted(by_day, reverse=True)]


# The public log's phrases, in the page's language.
PUBLIC_PARTS = {
    "restriction": {
        "insert": _("Restriction added: %(kind)s"),
        "update": _("Restriction changed: %(kind)s"),
        "delete": _("Restriction removed: %(kind)s"),
    },
    "amount": {
        "insert": _("Amount added: %(kind)s"),
        "update": _("Amount changed: %(kind)s"),
        "delete": _("Amount removed: %(kind)s"),
    },
    "event": {
        "insert": _("Event added: %(kind)s"),
        "update": _("Event changed: %(kind)s"),
        "delete": _("Event removed: %(kind)s"),
    },
}
PUBLIC_CITATION = {
    "insert": _("Source citation added"),
    "update": _("Source citation changed"),
    "delete": _("Source citation removed"),
}


def _listed(labels) -> str:
    return gettext(", ").join(str(label) for label in dict.fromkeys(labels))


def _public_items(change: Change) -> list[str]:
    if change.kind == "person":
        return _public_person_items(change)
    if change.kind == "capturefile":
        # Kept files are never changed or deleted: each is recorded once, when attached.
        if change.operation != "insert":
            return []
        return [gettext("Kept file of a cited source capture added")]
    if change.kind in SHOWN_RECORDS:
        labels = [f.label for f in change.fields if f.name not in INTERNAL_FIELDS]
        if change.operation != "update" or not labels:
            return []
        return [
            gettext("%(record)s corrected: %(fields)s")
            % {"record": SHOWN_RECORDS[change.kind][2], "fields": _listed(labels)}
        ]
    if change.kind == "case":
        items = []
        states = [f for f in change.fields if f.name == "publication_state"]
        if states and states[0].after == PublicationState.RETRACTED.label:
            items.append(gettext("Retracted"))
        labels = []
        for field_change in change.fields:
            label = PUBLIC_CASE_FIELDS.get(field_change.name)
            if label and label not in labels:
                labels.append(label)
        if labels:
            corrected = change.metadata.get("action") in CORRECTIONS
            phrase = (
                gettext("Corrected: %(fields)s") if corrected else gettext("Changed: %(fields)s")
            )
            items.append(phrase % {"fields": _listed(labels)})
        return items
    if change.kind == "citation":
        return [str(PUBLIC_CITATION[change.operation])]
    kind_label = _display(
        PART_MODELS[change.kind], "kind", _snapshot(change.event, PART_MODELS[change.kind])["kind"]
    )
    return [str(PUBLIC_PARTS[change.kind][change.operation]) % {"kind": kind_label}]


def _public_person_items(change: Change) -> list[str]:
    """What a change of the person altered on the case's page, without saying more: a
    pseudonymised person's real name is never hinted at by the log."""
    if change.operation != "update" or not change.previous:
        return []
    before = SimpleNamespace(**change.previous)
    after = SimpleNamespace(**_snapshot(change.event, Person))
    names = []
    if public_name(before) != public_name(after):
        names.append(gettext("the name shown"))
    changed = {field_change.name for field_change in change.fields}
    if "occupation" in changed:
        names.append(gettext("the person's occupation"))
    if "aliases" in changed and is_public_figure(after):
        names.append(gettext("the person's other names"))
    return [gettext("Changed: %(fields)s") % {"fields": _listed(names)}] if names else []
