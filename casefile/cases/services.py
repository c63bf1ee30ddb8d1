"""Writes that span several rows. Admin, API, importer and commands all call these."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.vocabularies import PublicationState
from casefile.sources.models import SourceCapture

CLAIM_FIELDS = {Restriction: "restriction", Amount: "amount", Event: "event"}


@transaction.atomic
def add_citation(
    *,
    case: Case,
    capture: SourceCapture,
    claim: Restriction | Amount | Event | None = None,
    case_field: str = "",
    locator: str = "",
    quote: str = "",
) -> Citation:
    """Cite `capture` for one claim of `case`: a part (restriction, amount, event) or a field."""
    citation = Citation(
        case=case, capture=capture, case_field=case_field, locator=locator, quote=quote
    )
    if claim is not None:
        setattr(citation, CLAIM_FIELDS[type(claim)], claim)
    citation.full_clean()
    citation.save()
    return citation


# --- Whole-case writes (the REST API's editors' endpoints) --------------------------
#
# A case and its parts are written together: the case's fields, and for each kind of
# part given, the complete new list (parts and their citations are replaced). Every
# row goes through full_clean(), so the model's constraints and clean() are the only
# rules; any error rolls the whole write back and is reported by dotted path
# ("restrictions[0].ended_on"). New cases are always drafts; the publication state is
# never written here (publishing is the reviewers' workflow).

# States in which an editor may change a case through these services.
EDITABLE_STATES = frozenset({PublicationState.DRAFT})
PART_KINDS = {"restrictions": Restriction, "amounts": Amount, "events": Event}


class StaleCaseVersion(Exception):
    """The case changed since the version the caller saw (optimistic locking)."""

    def __init__(self, current_version: str):
        super().__init__(f"The case is now at version {current_version}.")
        self.current_version = current_version


class CaseNotEditable(Exception):
    """The case is not in a state editors may change directly."""


@transaction.atomic
def create_case_with_parts(*, fields: dict, parts: dict | None = None) -> Case:
    """Create a draft case with its parts. `fields` uses model attribute names (partial
    dates through their descriptors: listed, discovered, removed); `parts` maps
    "restrictions", "amounts", "events" to lists of dicts, each with an optional
    "citations" list ({capture, locator, quote}), and "citations" to the case's own
    citations ({capture, case_field, locator, quote})."""
    case = Case(publication_state=PublicationState.DRAFT)
    _write_case(case, fields, parts or {})
    return case


@transaction.atomic
def update_case_with_parts(
    *, case_id: int, fields: dict, parts: dict | None = None, expected_version: str | None
) -> Case:
    """Update a draft case. The row is locked first; if `expected_version` is given and
    the case is no longer at that version, nothing is written (StaleCaseVersion)."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if expected_version is not None and case.version != expected_version:
        raise StaleCaseVersion(case.version)
    if case.publication_state not in EDITABLE_STATES:
        raise CaseNotEditable(
            f"The case is {case.get_publication_state_display().lower()}; only drafts "
            "can be edited directly."
        )
    _write_case(case, fields, parts or {})
    return case


def _write_case(case: Case, fields: dict, parts: dict) -> None:
    fields = {key: value for key, value in fields.items() if key != "publication_state"}
    for name, value in fields.items():
        setattr(case, name, value)
    _clean(case, exclude={field.name for field in Case._meta.fields if not field.editable})
    case.save()
    errors: dict[str, list] = {}
    for key, model in PART_KINDS.items():
        if key not in parts:
            continue
        model.objects.filter(case=case).delete()
        for index, data in enumerate(parts[key]):
            data = dict(data)
            citations = data.pop("citations", [])
            part = model(case=case)
            for name, value in data.items():
                setattr(part, name, value)
            path = f"{key}[{index}]"
            if _collect(errors, path, lambda part=part: _clean(part)):
                continue
            part.save()
            for number, citation in enumerate(citations):
                _collect(
                    errors,
                    f"{path}.citations[{number}]",
                    lambda part=part, citation=citation: add_citation(
                        case=case, claim=part, **citation
                    ),
                )
    if "citations" in parts:
        Citation.objects.filter(case=case, restriction=None, amount=None, event=None).delete()
        for index, citation in enumerate(parts["citations"]):
            _collect(
                errors,
                f"citations[{index}]",
                lambda citation=citation: add_citation(case=case, **citation),
            )
    if errors:
        raise ValidationError(errors)
    # Triggers moved updated_at (the version) when the parts were written.
    case.refresh_from_db(fields=["updated_at", "restriction_kinds"])


def _clean(instance, exclude=None) -> None:
    instance.full_clean(exclude=exclude)


def _collect(errors: dict, path: str, write) -> bool:
    """Run `write`; file its validation errors under `path`. True if it failed."""
    try:
        write()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                key = path if field == NON_FIELD_ERRORS else f"{path}.{field}"
                errors.setdefault(key, []).extend(messages)
        else:
            errors.setdefault(path, []).extend(error.messages)
        return True
    return False
