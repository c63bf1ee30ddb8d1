import pytest
from django.core.management import call_command

from casefile.cases.demo_loader import load_demo
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.people.models import Person
from casefile.sources.models import Source, SourceCapture

pytestmark = pytest.mark.django_db

MODELS = [Case, Person, Restriction, Amount, Event, Citation, Source, SourceCapture]


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", "updated_at")) for model in MODELS
    }


def test_demo_loader_is_idempotent():
    first = load_demo()
    assert first["created"] > 0
    before = snapshot()
    assert load_demo() == {"created": 0, "updated": 0}
    assert snapshot() == before


def test_demo_has_six_published_cases_from_one_source_with_two_captures():
    load_demo()
    assert Case.objects.published().count() == 6
    assert Source.objects.count() == 1
    assert SourceCapture.objects.count() == 2
    every_case_is_cited = Case.objects.filter(citations__isnull=True)
    assert not every_case_is_cited.exists()


def test_the_two_captures_support_the_two_fee_figures():
    load_demo()
    liu_hu = Case.objects.get(person__name_original="刘虎")
    fees = {
        str(amount.value): amount.citations.get().capture.label
        for amount in liu_hu.amounts.filter(kind="fee")
    }
    assert fees == {"1330.00": "revised version", "2900.00": "as first published"}
    assert all(amount.currency == "CAD" for amount in liu_hu.amounts.all())


def test_demo_privacy_levels_fit_the_people():
    load_demo()
    named = {person.public_name() for person in Person.objects.filter(privacy="public")}
    assert named == {"Liu Hu (刘虎)", "Xie Wen"}
    assert Person.objects.filter(privacy="pseudonymised").count() == 4


def test_every_restriction_and_amount_is_cited():
    load_demo()
    assert not Restriction.objects.filter(citations__isnull=True).exists()
    assert not Amount.objects.filter(citations__isnull=True).exists()


def test_if_empty_loads_only_into_an_empty_archive(capsys):
    call_command("load_demo", "--if-empty")
    assert Case.objects.count() == 6
    Case.objects.filter(public_id="VVCDVRSKJC").delete()
    call_command("load_demo", "--if-empty")
    assert Case.objects.count() == 5
    assert "already has cases" in capsys.readouterr().out


def test_demo_cases_are_published_complete_so_their_change_log_starts_clean():
    load_demo()
    from casefile.cases.history import public_change_log

    for case in Case.objects.all():
        entries = public_change_log(case)
        assert [item for entry in entries for item in entry.items] == ["First published"]
