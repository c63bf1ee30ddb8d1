"""Every partial date in the admin is one field: "2018", "2018-03" or "2018-03-05", the
precision set from what was typed (casefile.core.forms.PartialDateField)."""

import datetime

import pytest
from django.urls import reverse

from casefile.cases.models import Case
from casefile.sources.models import Source
from tests.factories import (
    make_authority,
    make_capture,
    make_case,
    make_event,
    make_person,
    make_restriction,
    make_source,
)
from tests.test_admin import case_form
from tests.test_concurrent_save import change_form, loaded_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("ada", "ada@example.org", "pw"))
    return client


@pytest.mark.parametrize(
    ("typed", "stored", "precision", "shown"),
    [
        ("2018", datetime.date(2018, 1, 1), "year", "2018"),
        ("2018-03", datetime.date(2018, 3, 1), "month", "March 2018"),
        ("2018-03-05", datetime.date(2018, 3, 5), "day", "5 March 2018"),
        (" 2018-3 ", datetime.date(2018, 3, 1), "month", "March 2018"),
    ],
)
def test_a_year_a_month_or_a_day_is_taken_with_its_precision(
    admin_client, typed, stored, precision, shown
):
    person, authority, capture = make_person(), make_authority(), make_capture()
    data = case_form(
        person,
        authority,
        capture,
        listed_on=typed,
        removed_on="",
        **{"restrictions-0-started_on": typed, "events-0-occurred_on": typed},
    )
    response = admin_client.post(reverse("admin:cases_case_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = Case.objects.get()
    assert (case.listed_on, case.listed_on_precision, str(case.listed)) == (
        stored,
        precision,
        shown,
    )
    assert (case.restrictions.get().started_on, case.restrictions.get().started_on_precision) == (
        stored,
        precision,
    )
    assert case.events.get().occurred_on_precision == precision


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("March 2018", "Enter a date as 2018, 2018-03 or 2018-03-05."),
        ("2018-02-30", "not a real calendar date"),
        ("18", "Enter a date as 2018, 2018-03 or 2018-03-05."),
    ],
)
def test_what_is_not_such_a_date_is_refused_on_its_field(admin_client, typed, message):
    person, authority, capture = make_person(), make_authority(), make_capture()
    response = admin_client.post(
        reverse("admin:cases_case_add"), case_form(person, authority, capture, discovered_on=typed)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["discovered_on"])
    assert not Case.objects.exists()


def test_the_change_form_shows_a_date_as_precisely_as_it_is_known_and_keeps_it(admin_client):
    case = make_case(
        publication_state="draft",
        listed_on=datetime.date(2018, 1, 1),
        listed_on_precision="year",
        discovered_on=datetime.date(2018, 3, 1),
        discovered_on_precision="month",
    )
    restriction = make_restriction(
        case, started_on=datetime.date(2019, 5, 6), started_on_precision="day"
    )
    make_event(case)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = admin_client.get(url).text
    assert 'name="listed_on" value="2018"' in page
    assert 'name="discovered_on" value="2018-03"' in page
    assert 'name="restrictions-0-started_on" value="2019-05-06"' in page
    assert 'name="events-0-occurred_on" value="2017"' in page
    assert "listed_on_precision" not in page  # one field per date, nowhere a second one
    assert f'value="{restriction.pk}"' in page


def test_a_removal_before_the_listing_is_reported_on_the_removal(admin_client):
    person, authority, capture = make_person(), make_authority(), make_capture()
    response = admin_client.post(
        reverse("admin:cases_case_add"),
        case_form(person, authority, capture, listed_on="2017-05", removed_on="2017-04"),
    )
    assert response.context["adminform"].form.errors["removed_on"] == [
        "The removal cannot be before the listing."
    ]
    # At the coarser precision the two may be the same period: accepted.
    response = admin_client.post(
        reverse("admin:cases_case_add"),
        case_form(person, authority, capture, listed_on="2017-05", removed_on="2017"),
    )
    assert response.status_code == 302


def test_a_sources_date_published_takes_a_year(admin_client):
    source = make_source(title="Report")
    url = reverse("admin:sources_source_change", args=[source.pk])
    data = {
        "kind": "news_article",
        "title": "Report",
        "outlet": "Example Daily",
        "authors": "",
        "language": "en",
        "url": source.url,
        "published_on": "2018",
        "relation": "other",
        "reliability": "unknown",
        "notes": "",
        "sharing": "never",
        "captures-TOTAL_FORMS": "0",
        "captures-INITIAL_FORMS": "0",
        "captures-MIN_NUM_FORMS": "0",
        "captures-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    source = Source.objects.get(pk=source.pk)
    assert (source.published_on, source.published_on_precision) == (
        datetime.date(2018, 1, 1),
        "year",
    )
    assert 'name="published_on" value="2018"' in admin_client.get(url).text


def test_an_unchanged_date_leaves_the_version_as_it_was(admin_client):
    """Posting the form back with the dates as shown changes no date."""
    case = make_case(
        publication_state="draft", listed_on=datetime.date(2018, 1, 1), listed_on_precision="year"
    )
    version = loaded_version(admin_client, case)
    response = admin_client.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        change_form(case, version, listed_on="2018"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.listed_on, case.listed_on_precision) == (datetime.date(2018, 1, 1), "year")
