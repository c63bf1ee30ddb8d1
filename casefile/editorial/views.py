"""The editors' pages: dashboard, workflow steps, history, restore, merge, import.

Views are thin: a form, a service call, a message and a redirect. Every page needs a
signed-in staff member; each checks its own permission (casefile.editorial.roles).
The public change log of a case is at the end: it is the one page for everybody.
"""

import datetime
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from casefile.cases import name_leaks as name_check
from casefile.cases import services
from casefile.cases.history import case_history, public_change_log
from casefile.cases.models import Case, Citation, NameLeakOverride, QuoteNotFoundReason
from casefile.cases.quotes import unexplained_quotes
from casefile.cases.views import public_case_or_gone
from casefile.cases.vocabularies import PublicationState, QuoteCheck
from casefile.cases.workflow import STEPS, bulk_steps
from casefile.editorial import forms
from casefile.editorial.import_template import template_csv, template_xlsx
from casefile.editorial.importer import (
    COLUMN_HELP,
    COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
)
from casefile.editorial.importer import (
    import_cases as run_import,
)
from casefile.people.models import Person
from casefile.people.services import merge_people as merge_people_service
from casefile.sources import serving
from casefile.sources.integrity import captures_without_kept_files
from casefile.sources.models import CaptureFile, Integrity, TextStatus
from casefile.sources.uploads import body_too_large


def staff_required(permission: str | None = None):
    """Anonymous visitors go to the sign-in page; signed-in users without the
    permission get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (request.user.is_authenticated and request.user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if permission and not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _render(request, template: str, context: dict, status: int = 200):
    """Render an editorial page inside the admin's frame (header, user links, sidebar)."""
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


def signin_locked_out(request, response=None, credentials=None):
    """What the admin's sign-in answers while django-axes refuses the account or the
    address (AXES_LOCKOUT_CALLABLE): a page in the admin's frame, 429 and Retry-After."""
    cool_off = settings.AXES_COOLOFF_TIME
    response = _render(
        request,
        "admin/signin_locked_out.html",
        {"minutes": round(cool_off.total_seconds() / 60), "title": "Signing in is blocked"},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def _admin_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


@staff_required("cases.view_case")
def dashboard(request):
    change_table = Case.pgh_event_models["insert"]
    mine = change_table.objects.filter(pgh_context__metadata__user=request.user.pk).values(
        "pgh_obj_id"
    )
    cases = Case.objects.select_related("person")
    context = {
        "my_drafts": cases.filter(
            Q(pk__in=mine), publication_state=PublicationState.DRAFT
        ).order_by("-updated_at")[:50],
        "review_queue": cases.filter(publication_state=PublicationState.IN_REVIEW).order_by(
            "updated_at"
        )[:50],
        "recently_published": cases.filter(publication_state=PublicationState.PUBLISHED)
        .exclude(published_at=None)
        .order_by("-published_at")[:20],
        "recent_changes": cases.order_by("-updated_at")[:20],
        "bulk_steps": bulk_steps(request.user),
        "title": gettext("Editors’ dashboard"),
        **_quotes_not_found(),
        **kept_file_counts(),
    }
    return _render(request, "editorial/dashboard.html", context)


def _quotes_not_found() -> dict:
    """Citations whose quote was not found in their capture's kept files (stored results),
    most recently changed cases first, each with whether a reviewer explained it."""
    explained = QuoteNotFoundReason.objects.filter(
        case_id=OuterRef("case_id"), capture_id=OuterRef("capture_id"), quote=OuterRef("quote")
    )
    not_found = Citation.objects.filter(quote_check=QuoteCheck.NOT_FOUND)
    return {
        "quotes_not_found": not_found.select_related("case__person", "capture__source")
        .annotate(explained=Exists(explained))
        .order_by("-case__updated_at", "id")[:50],
        "quotes_not_found_count": not_found.count(),
    }


def kept_file_counts() -> dict:
    """The integrity report's counts (manage.py verify_captures): kept files whose bytes no
    longer matched (or were gone) at their last check, when files were last checked, files
    whose text could not be extracted, and captures published cases cite without a kept
    file (counted now)."""
    files = CaptureFile.objects.all()
    return {
        "kept_files": files.count(),
        "damaged_files": files.exclude(integrity=Integrity.INTACT).count(),
        "last_checked": files.aggregate(last=Max("checked_at"))["last"],
        "failed_extractions": files.filter(text_status=TextStatus.FAILED).count(),
        "unkept_captures": captures_without_kept_files().count(),
    }


# The form of a workflow step's page, by what the step asks (casefile.cases.workflow).
STEP_FORMS = {"": forms.StepForm, "comment": forms.SendBackForm, "note": forms.RetractForm}


@staff_required()
def workflow_step(request, public_id, step):
    chosen = STEPS[step]
    if not chosen.allowed(request.user):
        raise PermissionDenied
    form_class = STEP_FORMS[chosen.asks]
    case = get_object_or_404(Case.objects.select_related("person"), public_id=public_id)
    stale = None
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                chosen.function(case=case, by=request.user, **form.service_arguments())
            except services.StaleVersion as error:
                stale = error
                case = error.case
                form = form_class(initial={**form.cleaned_data, "version": error.current_version})
            except services.PublicationBlocked as error:
                form.add_error(None, str(error))
            except services.QuotesNotFound:
                form.add_error(None, "Publishing needs a reviewer’s reason for each quote below.")
            except services.WorkflowError as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Case {case.public_id}: {chosen.label.lower()} — done.")
                return redirect(_admin_url(case))
    else:
        form = form_class(initial={"version": case.version})
    findings = name_check.find_name_leaks(case) if step == "publish" else []
    unverified = unexplained_quotes(case) if step == "publish" else []
    context = {
        "case": case,
        "form": form,
        "step": step,
        "title": gettext("%(step)s: case %(id)s") % {"step": chosen.label, "id": case.public_id},
        "button": chosen.label,
        "stale": stale,
        "missing": services.missing_citations(case) if step == "publish" else [],
        "name_leaks": findings,
        "open_name_leaks": [finding for finding in findings if finding.override is None],
        "unverified_quotes": unverified,
        "explain_form": forms.ExplainQuotesForm(citations=unverified) if unverified else None,
        "admin_url": _admin_url(case),
    }
    return _render(request, "editorial/workflow_step.html", context)


# Most cases one bulk step takes: the admin's "select all" can choose thousands.
BULK_MOST_CASES = 5000


@require_POST
@staff_required()
def bulk_step(request):
    """One workflow step on several selected cases (the dashboard's and the admin list's
    selections): first a confirmation page listing them, then the step itself, then a
    page saying per case what happened and why (services.take_step)."""
    step = request.POST.get("step", "")
    chosen = STEPS.get(step)
    if chosen is None or not chosen.bulk:
        raise Http404("No such step.")
    if not chosen.allowed(request.user):
        raise PermissionDenied
    selected = _selected_cases(request.POST.getlist("cases"))
    if not selected:
        messages.error(request, gettext("Select the cases to take the step on."))
        return _back(request, "editorial:dashboard")
    if len(selected) > BULK_MOST_CASES:
        messages.error(
            request,
            f"Select at most {BULK_MOST_CASES:,} cases for one step ({len(selected):,} selected).",
        )
        return _back(request, "editorial:dashboard")
    form = forms.BulkStepForm(request.POST, asks=chosen.asks)
    if request.POST.get("confirm") and form.is_valid():
        try:
            outcomes = services.take_step(
                step=step, cases=selected, by=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _render(
                request,
                "editorial/bulk_step_done.html",
                {
                    "step": chosen,
                    "outcomes": outcomes,
                    "done": [o for o in outcomes if o.done],
                    "not_done": [o for o in outcomes if not o.done],
                    "title": gettext("%(step)s: %(count)s case(s)")
                    % {"step": chosen.label, "count": len(outcomes)},
                    "back": _safe_next(request),
                },
            )
    return confirm_bulk_step(request, chosen, list(selected), form=form)


def confirm_bulk_step(request, step, case_ids, form=None):
    """The confirmation page of a bulk step: the cases, their state and version (confirming
    takes the step on each as it was shown), and which ones the step does not apply to."""
    cases = list(
        Case.objects.filter(pk__in=case_ids).select_related("person").order_by("public_id")
    )
    applies = [case for case in cases if step.applies_to(case.publication_state)]
    context = {
        "step": step,
        "form": form or forms.BulkStepForm(asks=step.asks),
        "applies": applies,
        "skipped": [case for case in cases if case not in applies],
        "title": gettext("%(step)s: %(count)s case(s)")
        % {"step": step.label, "count": len(applies)},
        "next": _safe_next(request) or request.get_full_path(),
    }
    return _render(request, "editorial/bulk_step.html", context)


def _selected_cases(values: list[str]) -> dict[int, str | None]:
    """Selected cases as {id: version shown, or None}: the confirmation page sends
    "id:version", the lists send ids."""
    selected: dict[int, str | None] = {}
    for value in values:
        pk, _, version = value.partition(":")
        if pk.isascii() and pk.isdigit() and len(pk) <= 18:
            selected[int(pk)] = version or None
    return selected


@staff_required("cases.view_case")
def name_leaks(request, public_id):
    """The name check of a case: where its person's real name appears in public text,
    the findings reviewers accepted and why; reviewers accept a finding here (POST)."""
    case = get_object_or_404(Case.objects.select_related("person"), public_id=public_id)
    if request.method == "POST":
        if not request.user.has_perm("cases.publish_case"):
            raise PermissionDenied
        form = forms.AcceptNameLeakForm(request.POST)
        if form.is_valid():
            place, form_found = form.cleaned_data["finding"]
            try:
                name_check.accept_name_leaks(
                    case=case,
                    findings=[(place, form_found)],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Accepted “{form_found}” in the {place}.")
        else:
            messages.error(request, gettext("Say why the finding is not the person’s name."))
        return _back(request, "editorial:name-leaks", public_id)
    context = {
        "case": case,
        "checked": name_check.needs_name_check(case),
        "name_leaks": name_check.find_name_leaks(case),
        "overrides": case.name_leak_overrides.select_related("accepted_by").order_by("-created_at"),
        "title": gettext("Name check of case %(id)s") % {"id": case.public_id},
        "admin_url": _admin_url(case),
    }
    return _render(request, "editorial/name_leaks.html", context)


@staff_required("cases.view_case")
def quote_checks(request, public_id):
    """The quote check of a case: each quote's result (stored when the citation or its
    capture's files were saved) and the reasons reviewers gave for quotes not found;
    reviewers give one here (POST)."""
    case = get_object_or_404(Case.objects.select_related("person"), public_id=public_id)
    unverified = unexplained_quotes(case)
    if request.method == "POST":
        if not request.user.has_perm("cases.publish_case"):
            raise PermissionDenied
        form = forms.ExplainQuotesForm(request.POST, citations=unverified)
        if form.is_valid():
            chosen = [c for c in unverified if c.pk in form.cleaned_data["citations"]]
            try:
                services.explain_unverified_quotes(
                    case=case, citations=chosen, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Recorded your reason for {len(chosen)} quote(s).")
        else:
            messages.error(
                request, gettext("Tick the quotes and say why the case may be published with them.")
            )
        return _back(request, "editorial:quotes", public_id)
    citations = case.citations.exclude(quote="").select_related("capture__source").order_by("id")
    context = {
        "case": case,
        "citations": citations,
        "unverified": unverified,
        "explain_form": forms.ExplainQuotesForm(citations=unverified) if unverified else None,
        "reasons": case.quote_reasons.select_related("accepted_by", "capture").order_by(
            "-created_at"
        ),
        "title": gettext("Quotes of case %(id)s") % {"id": case.public_id},
        "admin_url": _admin_url(case),
    }
    return _render(request, "editorial/quotes.html", context)


# --- Kept files, for editors ------------------------------------------------------------------


@staff_required("sources.view_capturefile")
def kept_file(request, pk):
    """Any kept file, downloaded (editors see every file, whatever its sharing)."""
    kept = get_object_or_404(CaptureFile.objects.defer("text", "match_text"), pk=pk)
    return serving.not_modified(request, kept) or serving.download_response(kept)


@staff_required("sources.view_capturefile")
def kept_file_view(request, pk):
    kept = get_object_or_404(
        CaptureFile.objects.defer("text", "match_text").select_related("capture__source"), pk=pk
    )
    if not kept.is_html:
        raise Http404("Only saved HTML pages are shown in the viewer.")
    context = {
        "kept": kept,
        "capture": kept.capture,
        "frame_url": reverse("editorial:kept-file-frame", args=[kept.pk]),
        "download_url": reverse("editorial:kept-file", args=[kept.pk]),
        "title": gettext("Saved page of %(capture)s") % {"capture": kept.capture},
    }
    return _render(request, "editorial/kept_file_view.html", context)


@staff_required("sources.view_capturefile")
def kept_file_frame(request, pk):
    kept = get_object_or_404(CaptureFile.objects.defer("text", "match_text"), pk=pk)
    return serving.not_modified(request, kept) or serving.frame_response(kept)


@require_POST
@staff_required("cases.publish_case")
def withdraw_name_leak_override(request, public_id):
    override_id = request.POST.get("override", "")
    override = get_object_or_404(
        NameLeakOverride,
        pk=override_id if override_id.isdigit() else None,
        case__public_id=public_id,
    )
    name_check.withdraw_name_leak_override(override=override, by=request.user)
    messages.success(
        request, f"Withdrew the acceptance of “{override.form}” in the {override.place}."
    )
    return _back(request, "editorial:name-leaks", public_id)


def _safe_next(request) -> str:
    """The page the form was on (`next`), if it is on this site; else ""."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request, fallback: str, *args):
    """Back to the page the form was on (`next`, on this site only), else `fallback`."""
    target = _safe_next(request)
    return redirect(target) if target else redirect(fallback, *args)


@staff_required("cases.view_case_history")
def history(request, public_id):
    case = get_object_or_404(Case.objects.select_related("person"), public_id=public_id)
    context = {
        "case": case,
        "groups": case_history(case),
        "restore_allowed": request.user.has_perm("cases.restore_case")
        and services.can_edit_case(request.user, case),
        "title": gettext("History of case %(id)s") % {"id": case.public_id},
        "admin_url": _admin_url(case),
    }
    return _render(request, "editorial/history.html", context)


@require_POST
@staff_required("cases.restore_case")
def restore(request, public_id):
    case = get_object_or_404(Case, public_id=public_id)
    try:
        as_of = datetime.datetime.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        messages.error(request, gettext("Choose a version to restore from the history."))
        return redirect("editorial:history", public_id)
    try:
        case, notes = services.restore_case_version(
            case=case, as_of=as_of, by=request.user, expected_version=request.POST.get("version")
        )
    except services.StaleVersion:
        messages.error(
            request,
            "The case changed while you were reading its history; nothing was restored. "
            "Here is its history now.",
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Case {case.public_id} restored as it was at {as_of:%Y-%m-%d %H:%M:%S} UTC."
        )
        for note in notes:
            messages.warning(request, note)
    return redirect("editorial:history", public_id)


@staff_required("people.merge_person")
def merge_people(request):
    ids = request.POST.getlist("people") or request.GET.get("ids", "").split(",")
    people = list(
        Person.objects.filter(
            pk__in=[i for i in ids if i.isascii() and i.isdigit() and len(i) <= 18]
        ).order_by("pk")
    )
    if len(people) != 2:
        messages.error(request, "Select exactly two person records to merge.")
        return redirect("admin:people_person_changelist")
    form = forms.MergePeopleForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        keep, merge = form.keep_and_merge()
        try:
            kept = merge_people_service(keep=keep, merge=merge, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Merged person #{merge.pk} into #{kept.pk}; their cases moved with them."
            )
            return redirect("admin:people_person_change", kept.pk)
    context = {
        "people": [(person, person.cases.select_related("authority")) for person in people],
        "form": form,
        "title": gettext("Merge two person records"),
    }
    return _render(request, "editorial/merge_people.html", context)


# A rejected file's problems, as CSV, are kept this long for the editor to download.
IMPORT_ERRORS_SECONDS = 3600


@staff_required("cases.import_cases")
@csrf_exempt  # the size is checked before the body is read; then CSRF
def import_cases(request):
    largest = max(settings.IMPORT_MAX_BYTES, settings.IMPORT_ZIP_MAX_BYTES)
    if request.method == "POST" and body_too_large(request, largest):
        file_error = gettext(
            "The upload is larger than the largest import (%(mb)s MB, IMPORT_ZIP_MAX_BYTES), "
            "so it was not read. Split it into several files."
        ) % {"mb": f"{largest / 1_048_576:,.0f}"}
        return _import_page(request, forms.ImportForm(), None, file_error, status=413)
    return csrf_protect(_import_cases)(request)


def _import_cases(request):
    report = None
    file_error = None
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = run_import(
                data=upload,  # read as it needs: a ZIP member by member
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                by=request.user,
                people=form.cleaned_data["people"],
            )
        except ImportFileError as error:
            file_error = str(error)
    status = 400 if file_error or (report and report.errors) else 200
    return _import_page(request, form, report, file_error, status=status)


def _import_page(request, form, report, file_error, *, status):
    context = {
        "form": form,
        "report": report,
        "file_error": file_error,
        "columns": [(name, COLUMN_HELP[name], name in REQUIRED_COLUMNS) for name in COLUMNS],
        "title": gettext("Import cases from a spreadsheet"),
    }
    if report is not None and report.errors:
        token = secrets.token_urlsafe(16)
        cache.set(
            f"casefile:import-errors:{token}",
            (request.user.pk, report.errors_csv()),
            IMPORT_ERRORS_SECONDS,
        )
        context["errors_csv_url"] = reverse("admin:cases_case_import_errors", args=[token])
    if report is not None and report.contexts:
        context["all_cases_url"] = (
            reverse("admin:cases_case_changelist") + "?imported=" + ",".join(report.contexts)
        )
    return _render(request, "editorial/import.html", context, status=status)


@staff_required("cases.import_cases")
def import_errors(request, token):
    """The problems of a file just checked, as CSV (for the editor who checked it)."""
    kept = cache.get(f"casefile:import-errors:{token}")
    if kept is None or kept[0] != request.user.pk:
        raise Http404("These errors are no longer kept: check the file again.")
    response = HttpResponse(kept[1], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="casefile-import-errors.csv"'
    return response


@staff_required("cases.import_cases")
def import_template(request, file_format):
    if file_format == "csv":
        content, content_type = template_csv(), "text/csv; charset=utf-8"
    elif file_format == "xlsx":
        content = template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("The template comes as .csv or .xlsx.")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="casefile-import-template.{file_format}"'
    )
    return response


# --- Public ---------------------------------------------------------------------------------


def case_changes(request, public_id):
    """The public change log of a published case: dates and what changed, no names."""
    case, answer = public_case_or_gone(request, public_id)
    if answer is not None:
        return answer
    return render(
        request, "editorial/case_changes.html", {"case": case, "log": public_change_log(case)}
    )
