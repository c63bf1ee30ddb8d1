"""Writes that span several rows. Admin, API, importer and commands all call these.

Every function is keyword-only and runs in a transaction: it either does all of its
work or none of it.
"""

import datetime
from dataclasses import dataclass, field

import pghistory
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from casefile.cases.history import PART_MODELS, changes_since
from casefile.cases.models import (
    Amount,
    Case,
    Citation,
    Event,
    QuoteNotFoundReason,
    Restriction,
)
from casefile.cases.name_leaks import PREFETCH as NAME_CHECK_PREFETCH
from casefile.cases.name_leaks import Finding, unresolved_name_leaks
from casefile.cases.quotes import unexplained_quotes
from casefile.cases.vocabularies import PublicationState
from casefile.cases.workflow import STEPS, Step
from casefile.core.dates import PartialDateDescriptor
from casefile.core.text import (
    control_character_problem,
    normalize_line_breaks,
    without_control_characters,
)
from casefile.people.models import Person
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


# --- Who may edit a case, and no lost updates ---------------------------------------------
# One rule for every interface: the admin (CaseAdmin.has_change_permission and the
# case form's lock), the editorial pages and the REST API (through the whole-case
# writes below) all ask can_edit_case and lock with lock_case.


class WorkflowError(Exception):
    """A step that cannot be taken; the message is written for the person who asked."""


class StaleVersion(WorkflowError):
    """The case changed after the caller loaded it: nothing was written.

    `expected_version` is what the caller sent (a form's hidden field, an API client's
    If-Match), `current_version` the case's version now (the ETag to send back), and
    `changes` what was recorded in between, oldest first (casefile.cases.history
    ChangeGroup objects: who, when, and each field before and after).
    """

    def __init__(self, *, case: Case, expected_version: str, changes: list):
        self.case = case
        self.expected_version = expected_version
        self.current_version = case.version
        self.changes = changes
        super().__init__(
            f"Case {case.public_id} was changed by someone else after you opened it. "
            "Nothing you sent was saved."
        )


def can_edit_case(user, case: Case | None) -> bool:
    """Editors edit drafts and cases in review; published cases are corrected by
    reviewers only (an edit there is live at once); a retracted case is kept as it was.
    `case=None` (or an unsaved case) asks whether the user may create cases."""
    if case is None or case.pk is None:
        return user.has_perm("cases.add_case")
    if not user.has_perm("cases.change_case"):
        return False
    if case.publication_state in (PublicationState.DRAFT, PublicationState.IN_REVIEW):
        return True
    if case.publication_state == PublicationState.PUBLISHED:
        return user.has_perm("cases.publish_case")
    return False


@transaction.atomic
def lock_case(*, case_id: int, expected_version: str | None = None, by=None) -> Case:
    """Lock the case row (SELECT … FOR UPDATE) until the caller's transaction ends, and
    check that it is still the version the caller loaded.

    Every write to a case or its parts goes through this first, so two saves of the
    same case run one after the other and the second sees the first's version. Call
    it inside the transaction that then writes. `expected_version=None` skips the
    check (a write that did not start from a loaded version, e.g. the importer).

    With `by`, the user must also be allowed to edit the case as it is now
    (can_edit_case), checked before the version as the admin does: someone who may
    not edit the case is told so (PermissionDenied), not asked to reload it.
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("person").get(pk=case_id)
    if by is not None and not can_edit_case(by, case):
        raise PermissionDenied(
            f"You cannot edit case {case.public_id} while it is "
            f"{case.get_publication_state_display().lower()}."
        )
    if expected_version is not None and case.version != expected_version:
        raise StaleVersion(
            case=case,
            expected_version=expected_version,
            changes=changes_since(case, expected_version),
        )
    return case


# Fields the workflow steps own: no edit form, API call or import sets them directly.
WORKFLOW_FIELDS = {
    "publication_state",
    "published_at",
    "retracted_at",
    "retraction_note",
    "review_comment",
}
NOT_EDITABLE_FIELDS = WORKFLOW_FIELDS | {
    "id",
    "public_id",
    "external_key",
    "created_at",
    "updated_at",
    "restriction_kinds",
    "listed_year",
    "search_text",
    "search_vector",
    "text_grams",
}


def _user_id(user):
    return user.pk if user is not None and user.is_authenticated else None


# --- Whole-case writes (the REST API's editors' endpoints, scripts) ------------------------
#
# A case and its parts are written together: the case's fields, and for each kind of
# part given, the complete new list (parts and their citations are replaced). Every
# row goes through full_clean(), so the model's constraints and clean() are the only
# rules; any error rolls the whole write back and is reported by dotted path
# ("restrictions[0].ended_on"). Who may write which case is can_edit_case, checked
# under the row lock; the version is compared by lock_case (StaleVersion). New cases
# are always drafts; the workflow's fields are never written here (publishing is the
# reviewers' workflow). The writes are attributed to `by` in the history context. A
# write carrying more parts or citations than the settings allow is refused whole
# before anything is read or locked (part_limit_errors).

PART_KINDS = {"restrictions": Restriction, "amounts": Amount, "events": Event}


def part_limit_errors(parts: dict) -> dict[str, list[str]]:
    """Why a whole-case write carries too much, by dotted path: more than CASE_MAX_PARTS
    restrictions, amounts, events or case citations, or citations of one part; or more
    than CASE_MAX_CITATIONS citations in all, named at the list that passes it. Every
    row is checked and written on its own, so this bounds a write's time and its lock.
    Reads unchecked data too (the API asks before reading the parts): whatever is not a
    list here is left for validation to report."""
    most, most_citations = settings.CASE_MAX_PARTS, settings.CASE_MAX_CITATIONS
    errors: dict[str, list[str]] = {}
    lists = []  # (path, items) of every list of citations, in order
    for key in (*PART_KINDS, "citations"):
        items = parts.get(key)
        if not isinstance(items, list):
            continue
        if len(items) > most:
            errors[key] = [f"A case has at most {most} {key}; this list has {len(items)}."]
        elif key == "citations":
            lists.append((key, items))
        else:
            for index, part in enumerate(items):
                cited = part.get("citations") if isinstance(part, dict) else None
                if isinstance(cited, list):
                    lists.append((f"{key}[{index}].citations", cited))
    total = 0
    for path, cited in lists:
        total += len(cited)
        if len(cited) > most:
            errors[path] = [f"A part has at most {most} citations; this one has {len(cited)}."]
        elif total > most_citations and not errors:
            errors[path] = [
                f"A case is written with at most {most_citations} citations in all (its own "
                f"and its parts'); with these there are {total} so far."
            ]
    return errors


def _refuse_too_many_parts(parts: dict) -> None:
    errors = part_limit_errors(parts)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_case_with_parts(*, by, fields: dict, parts: dict | None = None) -> Case:
    """Create a draft case with its parts, as `by` (who needs cases.add_case).

    `fields` uses model attribute names (partial dates through their descriptors:
    listed, discovered, removed); `parts` maps "restrictions", "amounts", "events" to
    lists of dicts, each with an optional "citations" list ({capture, locator, quote}),
    and "citations" to the case's own citations ({capture, case_field, locator, quote}).
    Raises PermissionDenied or ValidationError (messages keyed by dotted path).
    """
    if not can_edit_case(by, None):
        raise PermissionDenied("You cannot add cases.")
    _refuse_too_many_parts(parts or {})
    case = Case(publication_state=PublicationState.DRAFT)
    with pghistory.context(user=_user_id(by)):
        _write_case(case, fields, parts or {})
    return case


@transaction.atomic
def update_case_with_parts(
    *,
    case_id: int,
    by,
    fields: dict,
    parts: dict | None = None,
    expected_version: str | None,
) -> Case:
    """Change a case and (optionally) replace kinds of its parts, as `by`.

    The row is locked first (lock_case): PermissionDenied if `by` may not edit the case
    as it is now (can_edit_case), StaleVersion if it is no longer at `expected_version`
    (None skips that check); then ValidationError for invalid values. Nothing is
    written unless everything is; a correction of a published case that leaves the real
    name of a person who is not a public figure in its public text raises NameLeakFound.
    Returns the case as saved, with its new version.
    """
    _refuse_too_many_parts(parts or {})
    with pghistory.context(user=_user_id(by)):
        case = lock_case(case_id=case_id, expected_version=expected_version, by=by)
        _write_case(case, fields, parts or {})
        if case.publication_state == PublicationState.PUBLISHED:
            refuse_name_leaks(case)  # a correction is public at once
    return case


def _write_case(case: Case, fields: dict, parts: dict) -> None:
    errors: dict[str, list] = {}
    _assign(case, fields, errors, "")
    if errors:
        raise ValidationError(errors)
    _clean(case, exclude={field.name for field in Case._meta.fields if not field.editable})
    case.save()
    for key, model in PART_KINDS.items():
        if key not in parts:
            continue
        model.objects.filter(case=case).delete()
        for index, data in enumerate(parts[key]):
            data = dict(data)
            citations = data.pop("citations", [])
            part = model(case=case)
            path = f"{key}[{index}]"
            if _assign(part, data, errors, path) or _collect(
                errors, path, lambda part=part: _clean(part)
            ):
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


def _writable(model) -> set[str]:
    """Names a whole-case write may set on `model`: its editable fields (never the
    workflow's, the identifiers or the derived columns; never a part's case) and its
    partial dates (descriptors such as `listed`)."""
    names = {field.name for field in model._meta.concrete_fields if field.editable}
    names -= NOT_EDITABLE_FIELDS if model is Case else {"id", "case"}
    for klass in model.__mro__:
        names |= {n for n, v in vars(klass).items() if isinstance(v, PartialDateDescriptor)}
    return names


def _assign(instance, values: dict, errors: dict, path: str) -> bool:
    """Set `values` on `instance`; file names that may not be written under `path`.
    True if any was refused."""
    refused = sorted(set(values) - _writable(type(instance)))
    for name in refused:
        key = f"{path}.{name}" if path else name
        errors.setdefault(key, []).append("This field cannot be edited.")
    if refused:
        return True
    for name, value in values.items():
        setattr(instance, name, value)
    return False


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


# --- The publication workflow -----------------------------------------------------------
# draft → in_review → published → retracted, and in_review → draft when a reviewer sends
# the case back. Each step checks who may take it, locks the case, checks its version
# when the caller loaded one, and names itself in the history context.


class PublicationBlocked(WorkflowError):
    """Publishing needs citations that are missing; `missing` lists every one."""

    def __init__(self, *, case: Case, missing: list[str]):
        self.case = case
        self.missing = missing
        super().__init__(
            "This case cannot be published until every claim below has a citation: "
            + "; ".join(missing)
        )


class NameLeakFound(WorkflowError):
    """The real name of the case's person (not a public figure) appears in the case's
    public text; `findings` lists every place (casefile.cases.name_leaks.Finding).
    Nothing was written."""

    def __init__(self, *, case: Case, findings: list[Finding]):
        self.case = case
        self.findings = findings
        super().__init__(
            f"The real name of the person of case {case.public_id} appears in its public "
            "text; remove it, or have a reviewer accept a finding that is not the name: "
            + "; ".join(f"{finding.place} (“{finding.found}”)" for finding in findings)
        )


class QuotesNotFound(WorkflowError):
    """Quotes of the case were not found in the text of the files kept of the captures
    they cite, and no reviewer said why the case may be published with them: `citations`
    lists each. Nothing was written."""

    def __init__(self, *, case: Case, citations: list[Citation]):
        self.case = case
        self.citations = citations
        super().__init__(
            "Some quotes of this case were not found in the text of the kept files of the "
            "captures they cite; check them, or record why the case may be published with "
            "them: "
            + "; ".join(
                f"citation #{c.pk} (“{_excerpt(c.quote)}”, capture #{c.capture_id})"
                for c in citations
            )
        )


def _excerpt(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


@transaction.atomic
def explain_unverified_quotes(
    *, case: Case, citations: list[Citation], reason: str, by
) -> list[QuoteNotFoundReason]:
    """A reviewer records why the case may be published although these of its quotes
    were not found in their capture's kept files. Each reason applies to its case,
    capture and quote (the exact text) only; kept with who and when, and in history."""
    _require(by.has_perm("cases.publish_case"), "Only reviewers can explain unverified quotes.")
    reason = _plain_text("reason", reason)
    if not reason:
        raise ValidationError({"reason": "Say why the case may be published with these quotes."})
    recorded = []
    with pghistory.context(action="explain_unverified_quote", user=_user_id(by)):
        for citation in citations:
            if citation.case_id != case.pk:
                raise ValidationError(f"Citation #{citation.pk} is not a citation of this case.")
            reasons = QuoteNotFoundReason.objects.filter(
                case=case, capture_id=citation.capture_id, quote=citation.quote
            )
            if reasons.exists():
                continue  # explained meanwhile by someone else: keep their reason
            explained = QuoteNotFoundReason(
                case=case,
                capture_id=citation.capture_id,
                quote=citation.quote,
                reason=reason,
                accepted_by=by,
            )
            explained.full_clean()
            explained.save()
            recorded.append(explained)
    return recorded


def refuse_name_leaks(case: Case, *, as_written: bool = True) -> None:
    """Raise NameLeakFound if a form of the real name of the case's person appears in the
    case's public text, as saved so far in this transaction, without a reviewer's
    override. Publishing and every correction of a published case call it last, so the
    refusal rolls the whole write back. `as_written=False`: `case` is the locked version
    with nothing written since (publishing), so it is checked as it is."""
    if as_written:
        case = Case.objects.select_related("person").get(pk=case.pk)  # parts too
    findings = unresolved_name_leaks(case)
    if findings:
        raise NameLeakFound(case=case, findings=findings)


def missing_citations(case: Case) -> list[str]:
    """Every citation publishing still needs, as sentences an editor can act on.

    A case needs at least one citation of a claim of its own (the listing, the reason,
    the summary…: a `case_field` citation), and every restriction and every amount
    needs at least one citation of its own. Events are encouraged, not required.
    """
    # From the case's citations, restrictions and amounts, which a check of many cases
    # prefetches (name_leaks.PREFETCH); one query each otherwise.
    citations = case.citations.all()
    missing = []
    if not any(citation.case_field for citation in citations):
        missing.append(
            "the case itself: cite a source for at least one claim of the case "
            "(the listing, the stated reason, the summary…)"
        )
    cited_restrictions = {c.restriction_id for c in citations if c.restriction_id}
    cited_amounts = {c.amount_id for c in citations if c.amount_id}
    for restriction in sorted(case.restrictions.all(), key=lambda part: part.pk):
        if restriction.pk not in cited_restrictions:
            missing.append(f"restriction “{restriction}” (#{restriction.pk})")
    for amount in sorted(case.amounts.all(), key=lambda part: part.pk):
        if amount.pk not in cited_amounts:
            missing.append(f"amount “{amount}” (#{amount.pk})")
    return missing


def _plain_text(name: str, text: str | None) -> str:
    """A workflow step's text (a comment, a note) as it is stored, or ValidationError
    naming the control character it holds."""
    text = normalize_line_breaks((text or "").strip())
    problem = control_character_problem(text)
    if problem:
        raise ValidationError({name: problem})
    return text


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_permission(step: Step, by) -> None:
    _require(step.allowed(by), step.refusal)


def _require_state(case: Case, step: Step) -> None:
    if not step.applies_to(case.publication_state):
        raise WorkflowError(
            f"Only a case that is {step.from_label} can be {step.done}; case {case.public_id} is "
            f"{case.get_publication_state_display().lower()}."
        )


def _checked(given: Case, locked: Case) -> Case:
    """The case to run publishing's checks on: what the caller passed, with the parts it
    prefetched, when it is the version now locked (the version changes with any part,
    the person and the cited sources); else the locked row, whose parts are read then.
    Accepted findings of the name check do not move the version: they are read again."""
    if given is not locked and given.updated_at == locked.updated_at:
        # Reviewers' accepted findings and quote reasons do not move the version either.
        for name in ("name_leak_overrides", "quote_reasons"):
            getattr(given, "_prefetched_objects_cache", {}).pop(name, None)
        given.publication_state = locked.publication_state
        return given
    return locked


def _save_step(case: Case, action: str, by, fields: list[str], *, version: bool = True) -> None:
    """Write a step's fields, recorded as the step. `version=False`: another step follows
    at once, so the version in between is not read back."""
    with pghistory.context(action=action, user=_user_id(by)):
        if version:
            case.save(update_fields=fields)  # Case.save reads the new version back
        else:
            Case.objects.filter(pk=case.pk).update(**{f: getattr(case, f) for f in fields})


def _submit(case: Case, by, *, then_publish: bool = False) -> None:
    """Submit `case`, locked by the caller."""
    step = STEPS["submit"]
    _require_state(case, step)
    case.publication_state = step.to_state
    _save_step(case, "submit_for_review", by, ["publication_state"], version=not then_publish)


def _publish(case: Case, by, checked: Case) -> None:
    """Publish `case`, locked by the caller, once `checked` (the same version) passes the
    citation gate and the name check."""
    step = STEPS["publish"]
    _require_state(case, step)
    missing = missing_citations(checked)
    if missing:
        raise PublicationBlocked(case=case, missing=missing)
    unverified = unexplained_quotes(checked)
    if unverified:
        raise QuotesNotFound(case=case, citations=unverified)
    refuse_name_leaks(checked, as_written=False)
    case.publication_state = step.to_state
    case.published_at = case.published_at or timezone.now()  # the first publication
    case.review_comment = ""
    _save_step(case, "publish", by, ["publication_state", "published_at", "review_comment"])


@transaction.atomic
def submit_for_review(*, case: Case, by, expected_version: str | None = None) -> Case:
    """An editor hands a draft to the reviewers."""
    _require_permission(STEPS["submit"], by)
    locked = lock_case(case_id=case.pk, expected_version=expected_version)
    _submit(locked, by)
    return locked


@transaction.atomic
def send_back(*, case: Case, by, comment: str, expected_version: str | None = None) -> Case:
    """A reviewer returns a case in review to draft, saying what to fix."""
    step = STEPS["send_back"]
    _require_permission(step, by)
    comment = _step_text("comment", comment)
    case = lock_case(case_id=case.pk, expected_version=expected_version)
    _require_state(case, step)
    case.publication_state = step.to_state
    case.review_comment = comment
    _save_step(case, "send_back", by, ["publication_state", "review_comment"])
    return case


@transaction.atomic
def publish(*, case: Case, by, expected_version: str | None = None) -> Case:
    """A reviewer publishes a case in review, if every claim that needs a source has one.

    Publishing a case that is already published changes nothing (so loaders may call
    it on every run). Raises PublicationBlocked listing every missing citation, then
    QuotesNotFound listing every quote that was not found in its capture's kept files
    and that no reviewer explained (stored results of the quote check, never computed
    here), then NameLeakFound listing every place that names a person who is not a
    public figure. The checks read the parts `case` has prefetched when it is the
    version locked.
    """
    _require_permission(STEPS["publish"], by)
    locked = lock_case(case_id=case.pk, expected_version=expected_version)
    if locked.publication_state == PublicationState.PUBLISHED:
        return locked
    _publish(locked, by, _checked(case, locked))
    return locked


@transaction.atomic
def submit_and_publish(*, case: Case, by, expected_version: str | None = None) -> Case:
    """A reviewer takes a draft through both steps at once: submitted for review, then
    published, each recorded as itself, under one lock. Either both happen or neither: a
    draft that cannot be published (a missing citation, its person's name in its text)
    stays a draft."""
    step = STEPS["submit_and_publish"]
    _require_permission(step, by)
    _require_permission(STEPS["submit"], by)
    locked = lock_case(case_id=case.pk, expected_version=expected_version)
    _require_state(locked, step)
    checked = _checked(case, locked)  # before submitting moves the version
    _submit(locked, by, then_publish=True)
    _publish(locked, by, checked)
    return locked


@transaction.atomic
def retract(*, case: Case, by, note: str, expected_version: str | None = None) -> Case:
    """A reviewer withdraws a published case. Its data are kept; its public URL then
    answers 410 Gone with the note and the date."""
    step = STEPS["retract"]
    _require_permission(step, by)
    note = _step_text("note", note)
    case = lock_case(case_id=case.pk, expected_version=expected_version)
    _require_state(case, step)
    case.publication_state = step.to_state
    case.retracted_at = timezone.now()
    case.retraction_note = note
    _save_step(case, "retract", by, ["publication_state", "retracted_at", "retraction_note"])
    return case


# What a step's form must say, when the step asks for it (Step.asks), and why.
STEP_TEXT_REQUIRED = {
    "comment": "Say what the editor should change.",
    "note": "Give the reason for the retraction; it is shown publicly.",
}


def _step_text(name: str, text: str | None) -> str:
    text = _plain_text(name, text)
    if not text:
        raise ValidationError({name: STEP_TEXT_REQUIRED[name]})
    return text


# --- One step on several cases ------------------------------------------------------------


@dataclass
class StepOutcome:
    """What one step did to one of several cases, and why not when it did nothing."""

    case_id: int
    public_id: str = ""
    person: str = ""  # as the admin shows the person (staff only)
    state: str = ""  # the case's state afterwards
    done: bool = False
    reason: str = ""  # why nothing was done
    missing: list[str] = field(default_factory=list)  # citations publishing still needs
    findings: list[str] = field(default_factory=list)  # places naming the person
    changes: list = field(default_factory=list)  # what changed since it was selected

    @property
    def state_label(self) -> str:
        return str(PublicationState(self.state).label) if self.state else ""


# Cases a bulk step reads at once (with their parts, when it publishes).
STEP_CHUNK = 500


def take_step(
    *,
    step: str,
    cases: dict[int, str | None],
    by,
    comment: str = "",
    note: str = "",
) -> list[StepOutcome]:
    """Take one workflow step (workflow.STEPS) on several cases: `cases` maps case ids to
    the version each was selected at (None: no check). Returns what happened to each,
    in the order given.

    Each case goes through the step's own service function, with its permission, its
    lock and version check, the citation gate and the name check, and is its own
    transaction: one case refused (a missing citation, a change made since it was
    selected) leaves the others done. What does not depend on the case is done once:
    the permission and the step's text (a send-back comment) are checked before any
    case is touched (PermissionDenied, ValidationError), and the cases are read in one
    query.
    """
    chosen = STEPS[step]
    if not chosen.bulk:
        raise WorkflowError(f"“{chosen.label}” is taken one case at a time.")
    _require_permission(chosen, by)
    extra = {}
    if chosen.asks:
        extra[chosen.asks] = _step_text(
            chosen.asks, {"comment": comment, "note": note}[chosen.asks]
        )
    found = {}
    publishes = chosen.to_state == PublicationState.PUBLISHED
    ids = list(cases)
    for start in range(0, len(ids), STEP_CHUNK):
        chunk = Case.objects.select_related("person")
        if publishes:  # the citation gate's and the name check's reads, a query each
            chunk = chunk.prefetch_related(*NAME_CHECK_PREFETCH)
        found |= chunk.in_bulk(ids[start : start + STEP_CHUNK])
    outcomes = []
    for case_id, version in cases.items():
        case = found.pop(case_id, None)
        outcome = StepOutcome(case_id=case_id)
        outcomes.append(outcome)
        if case is None:
            outcome.reason = "This case no longer exists."
            continue
        outcome.public_id, outcome.person = case.public_id, str(case.person)
        outcome.state = case.publication_state
        try:
            case = chosen.function(case=case, by=by, expected_version=version, **extra)
        except StaleVersion as stale:
            outcome.reason = (
                "It was changed after you selected it, so nothing was done to it; select it again."
            )
            outcome.changes = stale.changes
            outcome.state = stale.case.publication_state
        except PublicationBlocked as blocked:
            outcome.reason = "It is not published: a citation is missing for each of these."
            outcome.missing = blocked.missing
        except NameLeakFound as leak:
            outcome.reason = (
                "It is not published: its public text names its person, who is not a public "
                "figure. Remove the name, or have a reviewer accept the findings."
            )
            outcome.findings = [f"{f.place} (“{f.found}”)" for f in leak.findings]
        except (WorkflowError, PermissionDenied) as refused:
            outcome.reason = str(refused)
        except ValidationError as invalid:
            outcome.reason = " ".join(invalid.messages)
        else:
            outcome.done = True
            outcome.state = case.publication_state
    return outcomes


# --- Restoring an earlier version ---------------------------------------------------------

# A restore brings back what the case said, not where it stood in the workflow: the
# workflow's own columns and the identifiers stay as they are now.
NOT_RESTORED_FIELDS = NOT_EDITABLE_FIELDS


@transaction.atomic
def restore_case_version(
    *, case: Case, as_of: datetime.datetime, by, expected_version: str | None = None
) -> tuple[Case, list[str]]:
    """Put the case and its parts back as they were at `as_of` (a time from its history).

    The case's fields, its restrictions, amounts, events and citations return to their
    state at that time: parts added since are deleted, parts deleted since come back
    with their old ids, changed parts get their old values. The restore is itself a
    change, recorded in history like any other. Returns the case and a list of notes on
    what could not be brought back (e.g. a citation whose source capture is gone).
    A published case is not restored to a version that names its pseudonymised person
    (NameLeakFound).
    """
    _require(by.has_perm("cases.restore_case"), "Only reviewers can restore earlier versions.")
    notes: list[str] = []
    with pghistory.context(action="restore", user=_user_id(by), restored_as_of=as_of.isoformat()):
        case = lock_case(case_id=case.pk, expected_version=expected_version, by=by)

        snapshot = _state_at(Case, as_of, pgh_obj_id=case.pk).get(case.pk)
        if snapshot is None:
            raise WorkflowError("The case has no recorded version at that time.")
        fields_by_column = {f.attname: f for f in Case._meta.concrete_fields}
        for column, value in snapshot.items():
            if fields_by_column[column].name not in NOT_RESTORED_FIELDS:
                setattr(case, column, _as_stored_now(value))
        if not Person.objects.filter(pk=case.person_id).exists():
            notes.append(
                "The person of that version no longer exists (merged?); kept the current person."
            )
            case.person_id = Case.objects.values_list("person_id", flat=True).get(pk=case.pk)
        case.full_clean()
        case.save()

        wanted = {
            kind: _state_at(model, as_of, case_id=case.pk) for kind, model in PART_MODELS.items()
        }
        # Delete what did not exist then: citations first, they point at the other parts.
        for kind in reversed(PART_MODELS):
            PART_MODELS[kind].objects.filter(case=case).exclude(pk__in=wanted[kind]).delete()
        for kind, model in PART_MODELS.items():
            for pk, values in wanted[kind].items():
                if (
                    kind == "citation"
                    and not SourceCapture.objects.filter(pk=values["capture_id"]).exists()
                ):
                    notes.append(f"Citation #{pk} was not restored: its source capture is gone.")
                    continue
                values = {
                    k: _as_stored_now(v)
                    for k, v in values.items()
                    if k not in ("created_at", "updated_at")
                }
                current = model.objects.filter(pk=pk).first()
                if current is None:
                    model.objects.create(**values)
                elif any(getattr(current, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(current, k, v)
                    current.save()
        if case.publication_state == PublicationState.PUBLISHED:
            refuse_name_leaks(case)  # the restored text is public at once
    case.refresh_from_db()
    return case, notes


def _as_stored_now(value):
    """A value from history as text is stored now: a version from before the rule on
    control characters comes back as the data migration cleaned the rows then."""
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, list):
        return [_as_stored_now(item) for item in value]
    return value


def _state_at(model, as_of: datetime.datetime, **filters) -> dict[int, dict]:
    """The rows of `model` matching `filters` as they stood at `as_of`, by id, from the
    last history snapshot of each row up to then (rows deleted by then are left out)."""
    event_model = model.pgh_event_models["insert"]
    events = (
        event_model.objects.filter(pgh_created_at__lte=as_of, **filters)
        .order_by("pgh_obj_id", "-pgh_created_at", "-pgh_id")
        .distinct("pgh_obj_id")
    )
    columns = [
        f.attname
        for f in model._meta.concrete_fields
        if any(ef.attname == f.attname for ef in event_model._meta.concrete_fields)
    ]
    state = {}
    for event in events:
        if event.pgh_label != "delete":
            state[event.pgh_obj_id] = {name: getattr(event, name) for name in columns}
    return state
