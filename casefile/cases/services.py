"""Writes that span several rows. Admin, API, importer and commands all call these."""

from django.db import transaction

from casefile.cases.models import Amount, Case, Citation, Event, Restriction
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
