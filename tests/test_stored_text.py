"""Stored text: line breaks are stored as "\\n", and no control character but tab and
line feed is stored by any write path (the admin, the API, the services, the
importer, and raw or bulk writes, which the database's named CHECK constraints
refuse). Rows written before the rule are cleaned by the data migrations."""

import csv
import importlib
import io
from types import SimpleNamespace

import psycopg
import pytest
from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from casefile.authorities.models import Authority
from casefile.cases import services
from casefile.cases.models import Amount, Case, Citation, Event, QuoteNotFoundReason, Restriction
from casefile.core.bulk import copy_insert
from casefile.core.constraints import PlainTextConstraint
from casefile.editorial.importer import COLUMNS as IMPORT_COLUMNS
from casefile.editorial.importer import import_cases
from casefile.people.models import Person
from casefile.sources.models import KEPT_FILE_FIELDS, CaptureFile, Source, SourceCapture
from tests.api_support import auth, send_json, token
from tests.factories import (
    make_amount,
    make_authority,
    make_capture,
    make_capture_file,
    make_case,
    make_citation,
    make_event,
    make_person,
    make_restriction,
)
from tests.test_admin import case_form
from tests.test_import import LIU_HU, csv_file

pytestmark = pytest.mark.django_db

MODELS = [
    Case,
    Restriction,
    Amount,
    Event,
    Citation,
    QuoteNotFoundReason,
    Person,
    Authority,
    Source,
    SourceCapture,
    CaptureFile,
]
# Text columns whose values a vocabulary or a pattern of their own already confines.
CONFINED_ELSEWHERE = {
    (SourceCapture, "sha256"),  # hexadecimal only: capture_sha256_hex
    (CaptureFile, "sha256"),  # capture_file_sha256_hex
}
# Columns written once and never updated (a trigger refuses): checked on insert.
WRITTEN_ONCE = {(CaptureFile, name) for name in KEPT_FILE_FIELDS}
# A value other columns need beside a bad one (a quote needs the quote check's result).
COMPANIONS = {(Citation, "quote"): {"quote_check": "no_text"}}


def text_fields(model):
    for field in model._meta.concrete_fields:
        base = field.base_field if isinstance(field, ArrayField) else field
        if isinstance(base, (models.CharField, models.TextField)):
            yield field


def plain_text_constraints(model) -> dict[str, PlainTextConstraint]:
    return {c.field: c for c in model._meta.constraints if isinstance(c, PlainTextConstraint)}


def test_every_free_text_column_has_its_constraint():
    """A text field added later without one fails here."""
    for model in MODELS:
        constrained = plain_text_constraints(model)
        for field in text_fields(model):
            free_text = field.editable and not field.choices
            if free_text and (model, field.name) not in CONFINED_ELSEWHERE:
                assert field.name in constrained, f"{model.__name__}.{field.name}"


def rows_of_every_model():
    case = make_case()
    capture = make_capture()
    from django.contrib.auth.models import User

    reviewer = User.objects.create(username="reason-giver")
    return {
        Case: case,
        Restriction: make_restriction(case),
        Amount: make_amount(case),
        Event: make_event(case),
        Citation: make_citation(case, capture),
        QuoteNotFoundReason: QuoteNotFoundReason.objects.create(
            case=case, capture=capture, quote="q", reason="r", accepted_by=reviewer
        ),
        Person: case.person,
        Authority: make_authority(),
        Source: capture.source,
        SourceCapture: capture,
        CaptureFile: make_capture_file(capture),
    }


COLUMNS = [(model, name) for model in MODELS for name in sorted(plain_text_constraints(model))]


@pytest.mark.parametrize("bad", ["\x02", "\x7f", "\x85", "\r"])
@pytest.mark.parametrize("model, name", COLUMNS, ids=[f"{m.__name__}.{n}" for m, n in COLUMNS])
def test_the_database_refuses_control_characters_in_every_text_column(model, name, bad):
    """Raw and bulk writes (a queryset update here) bypass the models; the named
    constraints do not. A lone "\\r" too: only the models normalise line breaks."""
    row = rows_of_every_model()[model]
    is_array = isinstance(model._meta.get_field(name), ArrayField)
    value = ["fine", f"not{bad}fine"] if is_array else f"not{bad}fine"
    constraint = plain_text_constraints(model)[name].name
    values = {name: value, **COMPANIONS.get((model, name), {})}
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        if (model, name) in WRITTEN_ONCE:
            row.pk = None
            row.sha256 = "e" * 64
            for key, item in values.items():
                setattr(row, key, item)
            models.Model.save(row)  # as a raw insert would: no model normalising
        else:
            model.objects.filter(pk=row.pk).update(**values)


def test_tabs_and_line_feeds_are_stored():
    case = make_case(summary="one\ttwo\nthree")
    case.refresh_from_db()
    assert case.summary == "one\ttwo\nthree"


def test_a_bulk_copy_is_refused_too_and_clean_rows_still_copy():
    now = timezone.now()
    authority = {"name": "Court", "name_original": "", "kind": "court", "city": ""}
    authority |= {"created_at": now, "updated_at": now}
    with pytest.raises(psycopg.errors.CheckViolation), transaction.atomic():
        copy_insert(Authority, [{**authority, "province": "hubei", "city": "Wu\x02han"}])
    (new_id,) = copy_insert(Authority, [{**authority, "province": "hubei"}])
    assert Authority.objects.get(pk=new_id).name == "Court"


def test_saving_a_model_stores_line_breaks_as_line_feeds():
    person = make_person(aliases=["first\r\nline"], notes="a\r\nb\rc")
    case = make_case(person=person, narrative="one\r\ntwo\r\rthree")
    case.refresh_from_db()
    person.refresh_from_db()
    assert case.narrative == "one\ntwo\n\nthree"
    assert (person.notes, person.aliases) == ("a\nb\nc", ["first\nline"])


def test_full_clean_names_the_character_on_its_field():
    case = Case(person=make_person(), summary="Listed\r\nover \x02rent", reason_en="fine\r\n")
    with pytest.raises(ValidationError) as refused:
        case.full_clean()
    (message,) = refused.value.message_dict["summary"]
    assert message.startswith("Remove the control character U+0002 (character 13)")
    assert "reason_en" not in refused.value.message_dict
    assert case.reason_en == "fine\n"
    source = Source(kind="news_article", title="T", authors=["A. Writer", "B.\x07Writer"])
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert refused.value.message_dict["authors"][0].startswith(
        "Item 2: Remove the control character U+0007"
    )


# --- the admin --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "pw"))
    return client


def test_the_admin_refuses_a_control_character_on_its_field(admin_client):
    person, authority, capture = make_person(), make_authority(), make_capture()
    data = case_form(
        person,
        authority,
        capture,
        summary="Listed over \x02rent\x03.",
        **{"restrictions-0-details": "Booking \x1b[31mrefused"},
    )
    response = admin_client.post(reverse("admin:cases_case_add"), data)
    assert response.status_code == 200
    assert not Case.objects.exists()
    (summary_error,) = response.context["adminform"].form.errors["summary"]
    assert "U+0002 (character 13)" in summary_error
    restriction_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "U+001B" in restriction_form.errors["details"][0]


def test_the_admin_stores_a_textareas_line_breaks_as_line_feeds(admin_client):
    person, authority, capture = make_person(), make_authority(), make_capture()
    data = case_form(person, authority, capture, narrative="First.\r\nSecond.\r\n\r\nThird.")
    assert admin_client.post(reverse("admin:cases_case_add"), data).status_code == 302
    assert Case.objects.get().narrative == "First.\nSecond.\n\nThird."


def test_the_admin_refuses_it_in_a_persons_aliases(admin_client):
    response = admin_client.post(
        reverse("admin:people_person_add"),
        {"name_original": "刘虎", "aliases": "Liu Hu,Liu\x08Hu", "privacy": "public"},
    )
    assert response.status_code == 200
    assert "Item 2: Remove the control character U+0008" in str(
        response.context["adminform"].form.errors["aliases"]
    )
    assert not Person.objects.exists()


# --- the API ------------------------------------------------------------------------------


EDITOR = "/api/v1/editor/cases/"


@pytest.fixture
def editor_headers():
    return auth(token(groups=["editor"]))


def test_the_api_refuses_control_characters_by_field(client, editor_headers):
    body = {
        "person": make_person().pk,
        "summary": "Listed over \x02rent\x03.",
        "restrictions": [{"kind": "air_travel", "details": "nul\x00here"}],
        "events": [{"occurred": "2017", "kind": "listed", "description": "o\x85k"}],
    }
    response = send_json(client, "post", EDITOR, body, headers=editor_headers)
    assert response.status_code == 400
    errors = {(e["name"], e["code"]): e["message"] for e in response.json()["errors"]}
    assert set(errors) == {
        ("summary", "control_character"),
        ("restrictions[0].details", "control_character"),
        ("events[0].description", "control_character"),
    }
    assert "U+0000 (character 4)" in errors[("restrictions[0].details", "control_character")]
    assert not Case.objects.exists()


def test_the_api_stores_line_breaks_as_line_feeds(client, editor_headers):
    body = {"person": make_person().pk, "summary": "one\r\ntwo", "narrative": "a\rb"}
    response = send_json(client, "post", EDITOR, body, headers=editor_headers)
    assert response.status_code == 201, response.content
    assert (response.json()["summary"], response.json()["narrative"]) == ("one\ntwo", "a\nb")
    case = Case.objects.get()
    headers = {**editor_headers, "If-Match": f'"{case.version}"'}
    response = send_json(
        client, "patch", f"{EDITOR}{case.public_id}/", {"outcome": "x\x7f"}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "outcome"


# --- the services and the editorial pages --------------------------------------------------


def test_workflow_notes_are_refused_with_a_control_character(as_reviewer, reviewer):
    case = make_case()
    with pytest.raises(ValidationError) as refused:
        services.retract(case=case, by=reviewer, note="Wrong\x02person.")
    assert "U+0002" in refused.value.message_dict["note"][0]
    url = reverse("editorial:retract", args=[case.public_id])
    response = as_reviewer.post(url, {"version": case.version, "note": "Wrong\x1bperson."})
    assert response.status_code == 200
    assert "U+001B" in response.text
    case.refresh_from_db()
    assert case.publication_state == "published"
    services.retract(case=case, by=reviewer, note="Wrong\r\nperson.")
    case.refresh_from_db()
    assert case.retraction_note == "Wrong\nperson."


# --- the importer ----------------------------------------------------------------------------


def test_the_importer_refuses_a_cell_with_a_control_character_by_row_and_column():
    data = csv_file(LIU_HU, {**LIU_HU, "case_key": "second", "reason": "Owes\x02money."})
    report = import_cases(data=data, filename="cases.csv", dry_run=False)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "reason")]
    assert "U+0002 (character 5)" in report.errors[0].message
    assert not Case.objects.exists()


def test_the_importer_stores_a_cells_line_breaks_as_line_feeds():
    row = {**LIU_HU, "outcome": "Removed.\r\nThen listed again.", "notes": "a\rb"}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=IMPORT_COLUMNS, restval="", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerow(row)
    data = buffer.getvalue().encode()
    report = import_cases(data=data, filename="cases.csv", dry_run=False)
    assert report.ok, report.errors
    case = Case.objects.get()
    assert (case.outcome, case.notes) == ("Removed.\nThen listed again.", "a\nb")


# --- the search page's highlighter -----------------------------------------------------------


def test_text_holding_the_highlighters_markers_cannot_be_stored_so_no_mark_is_unearned(client):
    """The search snippets mark matches between \\x02 and \\x03 (SearchHeadline); text
    that held them would render <mark> elements no search earned."""
    case = make_case(summary="Listed over unpaid rent.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(summary="Listed over \x02unpaid\x03 rent.")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(summary="\x02Forged\x03 highlight.")
    html = client.get("/cases/?q=rent").text
    assert "<mark>rent</mark>" in html
    assert html.count("<mark>") == 1


# --- rows written before the rule --------------------------------------------------------


MIGRATIONS = {
    "cases": "0014_no_control_characters",
    "people": "0006_no_control_characters",
    "sources": "0004_no_control_characters",
    "authorities": "0004_no_control_characters",
}


def drop_plain_text_constraints():
    """As before the migrations (the test's transaction puts them back)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE wants none pending
        for model in MODELS:
            for constraint in plain_text_constraints(model).values():
                cursor.execute(
                    f'ALTER TABLE "{model._meta.db_table}" DROP CONSTRAINT "{constraint.name}"'
                )


def test_the_data_migrations_clean_rows_written_before_the_rule():
    # Kept files and quote reasons came with the rule: no migration cleans them.
    born_with_the_rule = (CaptureFile, QuoteNotFoundReason)
    rows = {m: row for m, row in rows_of_every_model().items() if m not in born_with_the_rule}
    before = Case.objects.get(pk=rows[Case].pk).version
    drop_plain_text_constraints()
    dirty = "a\r\nb\rc\x02\x1b\x7f\x85\td"  # 12 characters: Source.language's limit
    for model, row in rows.items():
        for name in plain_text_constraints(model):
            is_array = isinstance(model._meta.get_field(name), ArrayField)
            values = {name: [dirty, "ok"] if is_array else dirty}
            model.objects.filter(pk=row.pk).update(**values, **COMPANIONS.get((model, name), {}))

    for app, name in MIGRATIONS.items():
        migration = importlib.import_module(f"casefile.{app}.migrations.{name}")
        migration.clean_text_columns(apps, SimpleNamespace(connection=connection))

    clean = "a\nb\nc\td"
    for model, row in rows.items():
        row = model.objects.get(pk=row.pk)
        for name in plain_text_constraints(model):
            is_array = isinstance(model._meta.get_field(name), ArrayField)
            assert getattr(row, name) == ([clean, "ok"] if is_array else clean), name
    case = Case.objects.get(pk=rows[Case].pk)
    assert case.version != before  # the change feed, ETags and stored records follow
    latest = case.changes.select_related("pgh_context").order_by("-pgh_id").first()
    assert latest.pgh_context.metadata["action"] == "clean_text"


def test_restoring_a_version_from_before_the_rule_brings_it_back_cleaned(reviewer):
    case = make_case(summary="Before.")
    drop_plain_text_constraints()
    Case.objects.filter(pk=case.pk).update(summary="Old\x02 text\r\n.")
    restriction = make_restriction(case, details="Old\x1b details.")
    as_of = case.changes.order_by("-pgh_id").values_list("pgh_created_at", flat=True).first()
    Case.objects.filter(pk=case.pk).update(summary="Cleaned.")
    restriction.delete()
    case.refresh_from_db()
    case, _ = services.restore_case_version(case=case, as_of=as_of, by=reviewer)
    assert case.summary == "Old text\n."
    assert case.restrictions.get().details == "Old details."
