"""The editors' admin: a whole case entered on one page, errors on their fields."""

import pytest
from django.urls import reverse

from casefile.cases.models import Case
from tests.factories import make_authority, make_capture, make_case, make_person

pytestmark = pytest.mark.django_db

INLINE_PREFIXES = ["restrictions", "amounts", "events", "citations"]


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return client


def management_form(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def case_form(person, authority, capture, **overrides):
    data = {
        "person": person.pk,
        "list_name": "spc_dishonest_debtors",
        "authority": authority.pk,
        "docket_number": "(2016)黔0502执2376号",
        "offence_category": "defamation_speech",
        "status": "listed",
        "reason_original": "有履行能力而拒不履行生效法律文书确定义务",
        "reason_en": "Refuses to perform although able to.",
        "listed_on": "2017",
        "notified": "false",
        "appeal_available": "unknown",
        "appeal_attempted": "unknown",
        "summary": "A journalist listed after a defamation verdict.",
        "publication_state": "draft",
        **management_form("restrictions", 1),
        "restrictions-0-kind": "air_travel",
        "restrictions-0-details": "Booking refused.",
        "restrictions-0-started_on": "2017",
        "restrictions-0-cite_capture": capture.pk,
        "restrictions-0-cite_quote": "not qualified",
        **management_form("amounts", 1),
        "amounts-0-kind": "fee",
        "amounts-0-value": "1330",
        "amounts-0-currency": "CAD",
        "amounts-0-as_reported": "at least $1,330",
        "amounts-0-cite_capture": capture.pk,
        **management_form("events", 1),
        "events-0-occurred_on": "2013",
        "events-0-kind": "detained",
        "events-0-description": "Detained in late 2013.",
        **management_form("citations", 1),
        "citations-0-capture": capture.pk,
        "citations-0-case_field": "summary",
        "citations-0-locator": "para. 4",
    }
    data.update(overrides)
    return data


def test_add_case_page_renders_with_every_inline(editor_client):
    response = editor_client.get(reverse("admin:cases_case_add"))
    assert response.status_code == 200
    for prefix in INLINE_PREFIXES:
        assert f'id="id_{prefix}-TOTAL_FORMS"' in response.text


def test_add_case_page_saves_a_full_case_with_its_parts_and_citations(editor_client):
    person, authority, capture = make_person(name_original="刘虎"), make_authority(), make_capture()
    response = editor_client.post(
        reverse("admin:cases_case_add"), case_form(person, authority, capture)
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""

    case = Case.objects.get(person=person)
    assert case.restriction_kinds == ["air_travel"]
    assert str(case.listed) == "2017"
    assert case.notified is False and case.appeal_available is None
    restriction, amount = case.restrictions.get(), case.amounts.get()
    assert restriction.citations.get().quote == "not qualified"
    assert amount.citations.get().capture == capture
    assert case.events.get().kind == "detained"
    assert case.citations.get(case_field="summary").locator == "para. 4"
    assert case.citations.count() == 3


def test_validation_errors_appear_on_the_field_that_caused_them(editor_client):
    person, authority, capture = make_person(), make_authority(), make_capture()
    data = case_form(
        person,
        authority,
        capture,
        removed_on="2016",
        **{"amounts-0-value": "-3", "listed_on": "2017-03-32"},
    )
    response = editor_client.post(reverse("admin:cases_case_add"), data)
    assert response.status_code == 200
    assert not Case.objects.exists()
    form = response.context["adminform"].form
    assert "listed_on" in form.errors
    amount_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert amount_form.errors["value"] == ["An amount cannot be negative."]


def test_removal_before_listing_is_reported_on_the_removal_date(editor_client):
    person, authority, capture = make_person(), make_authority(), make_capture()
    data = case_form(person, authority, capture, removed_on="2016")
    response = editor_client.post(reverse("admin:cases_case_add"), data)
    assert response.context["adminform"].form.errors["removed_on"] == [
        "The removal cannot be before the listing."
    ]


def test_a_citation_locator_without_a_capture_is_refused_on_that_row(editor_client):
    person, authority, capture = make_person(), make_authority(), make_capture()
    data = case_form(person, authority, capture, **{"restrictions-0-cite_capture": ""})
    response = editor_client.post(reverse("admin:cases_case_add"), data)
    restriction_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "cite_capture" in restriction_form.errors
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:cases_case_changelist",
        "admin:people_person_changelist",
        "admin:authorities_authority_changelist",
        "admin:sources_source_changelist",
        "admin:sources_sourcecapture_changelist",
    ],
)
def test_every_list_page_searches_and_filters(editor_client, url_name):
    make_case()
    response = editor_client.get(reverse(url_name), {"q": "x"})
    assert response.status_code == 200
    assert 'id="searchbar"' in response.text
    assert 'id="changelist-filter"' in response.text


def test_case_change_page_offers_only_this_cases_parts_to_cite(editor_client):
    case, other = make_case(), make_case()
    from tests.factories import make_restriction

    mine, theirs = make_restriction(case), make_restriction(other, kind="luxury_hotels")
    response = editor_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    field = response.context["inline_admin_formsets"][3].formset.forms[0].fields["restriction"]
    assert list(field.queryset) == [mine]
    assert theirs not in field.queryset


def test_autocomplete_serves_people_and_captures(editor_client):
    make_person(name_original="刘虎")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "liu", "app_label": "cases", "model_name": "case", "field_name": "person"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Liu Hu 刘虎"]
