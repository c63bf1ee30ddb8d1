"""The SQL that encodes the visibility rule agrees with casefile.cases.visibility, and
public timestamps move with public data only: never with draft work, nor with edits of
a withheld person's cases."""

import itertools

import pytest
from django.db import connection

from casefile.api.models import CaseDeletion
from casefile.cases.models import Case
from casefile.cases.visibility import (
    STAMPED_PUBLIC_SQL,
    public_cases,
    public_last_modified,
    tombstones,
)
from casefile.people.models import Person
from tests.factories import make_amount, make_case, make_person

pytestmark = pytest.mark.django_db

STATES = ["draft", "in_review", "published", "retracted"]
PRIVACY = ["public", "pseudonymised", "withheld"]


def stamped_public_ids() -> set[int]:
    """Cases the trigger's stamps call public, by the SQL the version trigger uses."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM cases_case AS c WHERE {STAMPED_PUBLIC_SQL.format(row='c')}")
        return {row[0] for row in cursor.fetchall()}


def module_public_ids() -> set[int]:
    return set(public_cases().values_list("id", flat=True))


def test_the_stamps_agree_with_the_rule_for_every_state_and_privacy_and_each_move():
    cases = {}
    for state, privacy in itertools.product(STATES, PRIVACY):
        cases[state, privacy] = make_case(
            person=make_person(privacy=privacy, pseudonym="P."), publication_state=state
        )
    assert stamped_public_ids() == module_public_ids()
    assert len(module_public_ids()) == 2  # published, public or pseudonymised

    # Every move between states and levels, through the ORM's save() (which writes back
    # every column it read) and through update(): the stamps follow.
    for (state, privacy), case in cases.items():
        for new_state in STATES:
            case.refresh_from_db()
            case.publication_state = new_state
            case.save()
            assert stamped_public_ids() == module_public_ids(), (state, privacy, new_state)
        for new_privacy in PRIVACY:
            Person.objects.filter(pk=case.person_id).update(privacy=new_privacy)
            assert stamped_public_ids() == module_public_ids(), (state, privacy, new_privacy)


def test_a_case_is_a_tombstone_only_once_it_was_public_and_only_while_it_is_not():
    never = make_case(publication_state="draft")
    withheld_from_the_start = make_case(
        person=make_person(privacy="withheld"), publication_state="published"
    )
    public = make_case()
    assert not tombstones().filter(pk__in=[never.pk, withheld_from_the_start.pk]).exists()
    assert not tombstones().filter(pk=public.pk).exists()

    Person.objects.filter(pk=public.person_id).update(privacy="withheld")
    left = tombstones().get(pk=public.pk)
    assert left.tombstone == "withdrawn"
    left_at = left.left_public_at
    # A reviewer's edit of the withheld person's case: still withdrawn, as of then.
    Case.objects.filter(pk=public.pk).update(summary="Corrected while withheld.")
    assert tombstones().get(pk=public.pk).left_public_at == left_at

    Person.objects.filter(pk=public.person_id).update(privacy="pseudonymised")
    assert not tombstones().filter(pk=public.pk).exists()  # public again

    Case.objects.filter(pk=public.pk).update(publication_state="retracted")
    assert tombstones().get(pk=public.pk).tombstone == "retracted"
    Person.objects.filter(pk=public.person_id).update(privacy="withheld")
    assert tombstones().get(pk=public.pk).tombstone == "withdrawn"  # no previous state


def test_only_deletions_of_cases_that_were_public_are_recorded():
    draft, public = make_case(publication_state="draft"), make_case()
    ids = [draft.public_id, public.public_id]
    Case.objects.filter(pk__in=[draft.pk, public.pk]).delete()
    assert list(
        CaseDeletion.objects.filter(public_id__in=ids).values_list("public_id", flat=True)
    ) == [public.public_id]


def test_public_data_version_moves_with_public_data_only():
    public = make_case()
    draft = make_case(publication_state="draft")
    withheld = make_case(person=make_person(privacy="withheld"))
    before = public_last_modified()

    # Draft work, and work on a withheld person's case: nothing public moved.
    draft.summary = "Edited draft."
    draft.save()
    make_amount(draft)
    Case.objects.filter(pk=withheld.pk).update(summary="Edited.")
    Person.objects.filter(pk=withheld.person_id).update(name_original="改名")
    Person.objects.filter(pk=public.person_id).update(notes="Editors' notes only.")
    assert public_last_modified() == before

    # A public change moves it; so does a case leaving.
    make_amount(public)
    after_part = public_last_modified()
    assert after_part > before
    Person.objects.filter(pk=public.person_id).update(privacy="withheld")
    assert public_last_modified() > after_part


def partial_index_predicates(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_expr(x.indpred, x.indrelid)
            FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass AND x.indpred IS NOT NULL
            """,
            [table],
        )
        return dict(cursor.fetchall())


def rows_where(table: str, predicate: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {predicate}")
        return {row[0] for row in cursor.fetchall()}


def test_partial_indexes_and_search_columns_cover_what_the_module_calls_public():
    """Public queries read the partial indexes and search columns built for published
    cases and public figures: each must hold every row the module shows or searches."""
    from casefile.cases.visibility import searchable_people

    for state, privacy in itertools.product(STATES, PRIVACY):
        make_case(person=make_person(privacy=privacy, pseudonym="P."), publication_state=state)
    public = module_public_ids()
    case_indexes = partial_index_predicates("cases_case")
    published_indexes = [name for name in case_indexes if name.startswith("case_published")]
    assert len(published_indexes) >= 4
    for name in published_indexes:
        # The sample that large result sets are counted on holds one public case in 64.
        wanted = (
            {pk for pk in public if pk % 64 == 0} if name == "case_published_sample" else public
        )
        assert wanted <= rows_where("cases_case", case_indexes[name]), name
    searched = rows_where(
        "cases_case",
        "search_vector IS NOT NULL AND text_grams IS NOT NULL AND search_text IS NOT NULL",
    )
    assert public <= searched

    searchable = set(searchable_people().values_list("id", flat=True))
    person_indexes = partial_index_predicates("people_person")
    for name in (
        "person_public_name_keys_trgm",
        "person_public_name_grams",
        "person_public_name_key_list",
    ):
        assert rows_where("people_person", person_indexes[name]) == searchable, name
