"""The workflow in bulk: select cases on the admin list or the dashboard, confirm once, and
read per case what happened and why. Each case goes through the single step's service
(its permission, lock, version check, citation gate and name check)."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from casefile.cases import services
from casefile.cases.admin import workflow_steps
from casefile.cases.models import Case
from casefile.cases.workflow import STEPS, bulk_steps, single_case_steps
from tests.factories import make_case, make_person
from tests.test_name_leak_refusals import hidden_person
from tests.test_workflow import draft_case, fresh, fully_cited_case

pytestmark = pytest.mark.django_db


def states(*cases) -> list[str]:
    return [fresh(case).publication_state for case in cases]


def actions_of(history_case) -> list[str]:
    return [
        change.pgh_context.metadata.get("action")
        for change in history_case.changes.order_by("pgh_id")
        if change.pgh_context
    ]


# --- One table ---------------------------------------------------------------------------------


def test_one_table_says_which_step_goes_from_where_to_where_and_who_takes_it():
    table = {
        key: (sorted(step.from_states), step.to_state, step.permission)
        for key, step in STEPS.items()
    }
    assert table == {
        "submit": (["draft"], "in_review", "cases.change_case"),
        "publish": (["in_review"], "published", "cases.publish_case"),
        "send_back": (["in_review"], "draft", "cases.publish_case"),
        "retract": (["published"], "retracted", "cases.publish_case"),
        "submit_and_publish": (["draft"], "published", "cases.publish_case"),
    }


def test_the_admin_the_pages_and_the_services_offer_and_allow_the_same_steps(
    editor, reviewer, client
):
    draft, in_review = draft_case(), services.submit_for_review(case=draft_case(), by=editor)
    for user in (editor, reviewer):
        for case in (draft, in_review, make_case()):
            offered = {step.key for step in single_case_steps(user, case.publication_state)}
            links = {url for url, _ in workflow_steps(user, fresh(case))}
            for key in ("submit", "publish", "send_back", "retract"):
                url = reverse(STEPS[key].page, args=[case.public_id])
                assert (url in links) == (key in offered)
                client.force_login(user)
                opened = client.get(url).status_code
                assert (opened == 200) == STEPS[key].allowed(user)
    assert [s.key for s in bulk_steps(editor)] == ["submit"]
    assert [s.key for s in bulk_steps(reviewer)] == [
        "submit",
        "publish",
        "send_back",
        "submit_and_publish",
    ]


# --- The service -------------------------------------------------------------------------------


def test_publishing_several_cases_gates_each_and_says_why_one_was_not(editor, reviewer):
    ready = [services.submit_for_review(case=fully_cited_case(), by=editor) for _ in range(2)]
    uncited = services.submit_for_review(case=draft_case(), by=editor)
    draft = draft_case()
    outcomes = services.take_step(
        step="publish",
        cases={case.pk: None for case in [*ready, uncited, draft]},
        by=reviewer,
    )
    assert [o.done for o in outcomes] == [True, True, False, False]
    assert states(*ready, uncited, draft) == ["published", "published", "in_review", "draft"]
    assert outcomes[2].missing[0].startswith("the case itself")
    assert "Only a case that is in review can be published" in outcomes[3].reason
    assert outcomes[0].state == "published" and outcomes[2].state == "in_review"
    # Each published case has its own history entry, by the reviewer.
    change = fresh(ready[0]).changes.order_by("-pgh_id").first()
    assert change.pgh_context.metadata["action"] == "publish"
    assert change.pgh_context.metadata["user"] == reviewer.pk


def test_submit_and_publish_takes_drafts_through_both_steps_or_neither(reviewer):
    complete, uncited = fully_cited_case(), draft_case()
    outcomes = services.take_step(
        step="submit_and_publish", cases={complete.pk: None, uncited.pk: None}, by=reviewer
    )
    assert [o.done for o in outcomes] == [True, False]
    assert states(complete, uncited) == ["published", "draft"]  # never left half-way
    assert outcomes[1].missing
    assert actions_of(fresh(complete))[-2:] == ["submit_for_review", "publish"]


def test_the_name_check_holds_for_each_case_published_in_bulk(reviewer):
    named = fully_cited_case(person=hidden_person(), summary="高兴 was listed.")
    fine = fully_cited_case(person=hidden_person(name_original="李明"))
    outcomes = services.take_step(
        step="submit_and_publish", cases={named.pk: None, fine.pk: None}, by=reviewer
    )
    assert [o.done for o in outcomes] == [False, True]
    assert "names its person" in outcomes[0].reason
    assert any("summary" in finding for finding in outcomes[0].findings)
    assert states(named, fine) == ["draft", "published"]


def test_a_case_changed_after_it_was_selected_is_left_alone(editor, reviewer):
    case = services.submit_for_review(case=fully_cited_case(), by=editor)
    other = services.submit_for_review(case=fully_cited_case(), by=editor)
    selected_at = fresh(case).version
    services.update_case_with_parts(
        case_id=case.pk, by=editor, fields={"summary": "Changed meanwhile."}, expected_version=None
    )
    outcomes = services.take_step(
        step="publish",
        cases={case.pk: selected_at, other.pk: fresh(other).version},
        by=reviewer,
    )
    assert [o.done for o in outcomes] == [False, True]
    assert "changed after you selected it" in outcomes[0].reason
    assert outcomes[0].changes
    assert states(case, other) == ["in_review", "published"]


def test_who_may_not_take_a_step_touches_no_case(editor, reviewer):
    drafts = [fully_cited_case(), fully_cited_case()]
    for step in ("publish", "send_back", "submit_and_publish"):
        with pytest.raises(PermissionDenied):
            services.take_step(
                step=step, cases={case.pk: None for case in drafts}, by=editor, comment="x"
            )
    assert states(*drafts) == ["draft", "draft"]
    with pytest.raises(services.WorkflowError, match="one case at a time"):
        services.take_step(step="retract", cases={make_case().pk: None}, by=reviewer, note="x")


def test_sending_back_in_bulk_needs_one_comment_for_all(editor, reviewer):
    cases = [services.submit_for_review(case=draft_case(), by=editor) for _ in range(2)]
    with pytest.raises(ValidationError):
        services.take_step(step="send_back", cases={c.pk: None for c in cases}, by=reviewer)
    assert states(*cases) == ["in_review", "in_review"]
    services.take_step(
        step="send_back", cases={c.pk: None for c in cases}, by=reviewer, comment="Cite it."
    )
    assert [fresh(c).review_comment for c in cases] == ["Cite it.", "Cite it."]
    assert states(*cases) == ["draft", "draft"]


# --- The pages ---------------------------------------------------------------------------------


def test_25_drafts_are_published_from_the_admin_list_in_three_page_loads(client, reviewer):
    person = make_person(name_original="刘虎")
    drafts = [fully_cited_case(person=person) for _ in range(25)]
    client.force_login(reviewer)
    changelist = reverse("admin:cases_case_changelist") + "?publication_state__exact=draft"

    page = client.get(changelist)  # 1: the list, filtered to drafts
    assert page.status_code == 200
    assert "Submit and publish…" in page.text
    confirm = client.post(  # 2: "select all" and the action: one confirmation page
        changelist,
        {
            "action": "submit_and_publish",
            "select_across": "1",
            "index": "0",
            "_selected_action": [case.pk for case in drafts],  # "select all" ticks every box
        },
    )
    assert confirm.status_code == 200
    assert confirm.text.count('name="cases"') == 25
    assert states(*drafts) == ["draft"] * 25  # nothing happens before the confirmation
    form = dict(re.findall(r'name="(step|confirm|next)" value="([^"]*)"', confirm.text))
    cases = re.findall(r'name="cases" value="([^"]+)"', confirm.text)
    done = client.post(reverse("editorial:bulk-step"), {**form, "cases": cases})  # 3: done
    assert done.status_code == 200
    assert "25 of 25 cases submitted and published" in done.text
    assert states(*drafts) == ["published"] * 25
    assert all(fresh(case).get_absolute_url() in done.text for case in drafts)


def test_the_result_page_lists_the_missing_citations_of_a_case_not_published(as_reviewer, editor):
    uncited = draft_case()
    response = as_reviewer.post(
        reverse("editorial:bulk-step"),
        {"step": "submit_and_publish", "confirm": "1", "cases": [f"{uncited.pk}:"]},
    )
    assert "0 of 1 case submitted and published" in response.text
    assert "the case itself: cite a source" in response.text
    assert fresh(uncited).publication_state == "draft"


def test_the_dashboard_selects_cases_for_a_step_with_a_confirmation_first(client, editor):
    client.force_login(editor)
    mine = [
        services.create_case_with_parts(by=editor, fields={"person": make_person()})
        for _ in range(2)
    ]
    page = client.get(reverse("editorial:dashboard"))
    assert page.text.count('name="cases"') == 2
    assert 'value="submit"' in page.text and 'value="publish"' not in page.text
    confirm = client.post(
        reverse("editorial:bulk-step"), {"step": "submit", "cases": [c.pk for c in mine]}
    )
    assert "Submit for review: 2 case(s)" in confirm.text
    assert states(*mine) == ["draft", "draft"]
    cases = re.findall(r'name="cases" value="([^"]+)"', confirm.text)
    done = client.post(
        reverse("editorial:bulk-step"), {"step": "submit", "confirm": "1", "cases": cases}
    )
    assert "2 of 2 cases submitted for review" in done.text
    assert states(*mine) == ["in_review", "in_review"]


def test_an_editor_cannot_publish_in_bulk_through_the_page(as_editor):
    case = fully_cited_case()
    for step in ("publish", "submit_and_publish", "send_back"):
        response = as_editor.post(
            reverse("editorial:bulk-step"), {"step": step, "confirm": "1", "cases": [case.pk]}
        )
        assert response.status_code == 403
    assert fresh(case).publication_state == "draft"
    assert (
        as_editor.post(
            reverse("editorial:bulk-step"), {"step": "retract", "cases": [case.pk]}
        ).status_code
        == 404
    )


def test_the_confirmation_page_says_which_selected_cases_the_step_leaves_out(as_reviewer):
    draft, published = draft_case(), make_case()
    response = as_reviewer.post(
        reverse("editorial:bulk-step"),
        {"step": "submit_and_publish", "cases": [draft.pk, published.pk]},
    )
    assert response.text.count('name="cases"') == 1
    skipped = response.text.split('id="bulk-skipped"', 1)[1]
    assert published.public_id in skipped and "published" in skipped
    assert Case.objects.get(pk=published.pk).publication_state == "published"
