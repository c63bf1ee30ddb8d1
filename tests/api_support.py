"""Data and helpers shared by the API tests."""

import datetime
import json

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone

from casefile.api.models import ApiToken, CaseRecord
from casefile.editorial.roles import sync_role_groups
from tests.factories import (
    make_amount,
    make_authority,
    make_capture,
    make_case,
    make_citation,
    make_event,
    make_person,
    make_restriction,
    make_source,
)

# Names that must never leave the server through the API.
SECRET_NAME = "秘密人"
SECRET_ROMANISED = "Mimi Ren"
SECRET_ALIAS = "Hidden Alias"
WITHHELD_NAME = "隐藏者"
NOTES = "editors-only note"


def rich_case(**fields):
    """A published case with every kind of part, citation and date precision."""
    source = make_source(
        title="Court notice",
        authors=["A. Writer", "B. Writer"],
        published_on=datetime.date(2017, 3, 1),
        published_on_precision="month",
        notes=NOTES,
    )
    capture = make_capture(
        source,
        label="first",
        archive_url="https://archive.example.org/1",
        sha256="a" * 64,
        notes=NOTES,
    )
    case = make_case(
        person=fields.pop("person", None)
        or make_person(name_original="刘虎", privacy="public", occupation="Journalist"),
        authority=fields.pop("authority", None) or make_authority(province="guizhou"),
        docket_number="（2016）黔0502执2376号",
        reason_original="有履行能力而拒不履行",
        reason_en="Refuses to perform although able to.",
        offence_category="defamation_speech",
        listed_on=datetime.date(2017, 3, 1),
        listed_on_precision="month",
        discovered_on=datetime.date(2017, 1, 1),
        discovered_on_precision="year",
        notified=False,
        appeal_available=None,
        appeal_attempted=True,
        narrative="A longer account.",
        published_at=timezone.now(),
        **fields,
    )
    restriction = make_restriction(
        case,
        kind="air_travel",
        details="Booking refused.",
        started_on=datetime.date(2017, 2, 3),
        started_on_precision="day",
    )
    make_restriction(case, kind="high_speed_rail")
    amount = make_amount(case, kind="fee", value="1330.00", currency="CAD", as_reported="$1,330")
    make_amount(case, kind="paid", value="115", currency="CAD", value_cny="600.50")
    event = make_event(case, kind="verdict", description="Found guilty.")
    make_citation(case, capture, restriction=restriction, locator="para 3", quote="not qualified")
    make_citation(case, capture, amount=amount)
    make_citation(case, capture, event=event)
    make_citation(case, capture, case_field="reason", quote="拒不履行")
    case.refresh_from_db()
    return case


def private_cases():
    """A pseudonymised person's published case, a withheld person's, and unpublished ones."""
    pseudonymised = make_person(
        name_original=SECRET_NAME,
        name_romanized=SECRET_ROMANISED,
        aliases=[SECRET_ALIAS],
        pseudonym="Unnamed man, Hubei",
        privacy="pseudonymised",
        notes=NOTES,
    )
    shown = make_case(person=pseudonymised, summary="Listed over rent.")
    withheld = make_case(
        person=make_person(name_original=WITHHELD_NAME, privacy="withheld"),
        summary="Withheld person's case.",
        authority=make_authority(province="tibet"),
    )
    make_restriction(withheld, kind="ringback_tone")
    make_citation(withheld, make_capture(make_source(title="Only cites withheld")))
    hidden = [
        make_case(summary=f"A {state} case.", publication_state=state, offence_category="theft")
        for state in ("draft", "in_review", "retracted")
    ]
    for case in hidden:
        make_restriction(case, kind="luxury_hotels")
    return shown, withheld, hidden


def token(*, groups=(), can_write=True, superuser=False, username=None):
    """A token of a new user in the given role groups (editor, reviewer, administrator:
    their permissions decide what the token may write)."""
    user = User.objects.create_user(
        username or f"user{User.objects.count() + 1}", password="x", is_superuser=superuser
    )
    if groups and not Group.objects.filter(name__in=groups, permissions__isnull=False).exists():
        # Transactional tests flush the groups the data migration made: make them again.
        sync_role_groups(apps)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    _, key = ApiToken.objects.issue(user=user, name="test", can_write=can_write)
    return key


def auth(key):
    return {"Authorization": f"Token {key}"}


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def get_json(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, body(response)
    return response.json()


def send_json(client, method, url, data, **kwargs):
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", **kwargs
    )


def tamper_with_stored_records():
    """Mark the stored records' summaries, so an export shows whether it read them."""
    CaseRecord.objects.update(
        record=Replace("record", Value('"summary" : "'), Value('"summary" : "STORED '))
    )
