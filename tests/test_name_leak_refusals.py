"""Publishing, and every correction of a published case, refuse while the real name of a
pseudonymised person appears in the case's public text; a reviewer may accept a finding
that is not the name, with a reason; check_name_leaks lists the cases that fail today."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from casefile.cases import name_leaks, services
from casefile.cases.history import case_changes
from casefile.cases.models import Case, NameLeakOverride
from tests.api_support import send_json
from tests.factories import (
    make_amount,
    make_capture,
    make_case,
    make_citation,
    make_person,
    make_restriction,
)
from tests.test_api_writes_rules import api_headers
from tests.test_concurrent_save import change_form

pytestmark = pytest.mark.django_db


def hidden_person(**fields):
    defaults = {"name_original": "高兴", "privacy": "pseudonymised", "pseudonym": "G. X."}
    return make_person(**{**defaults, **fields})


def case_in_review(editor, **fields) -> Case:
    """A fully cited case of 高兴 (Gao Xing; also an everyday word, "glad"), in review."""
    case = make_case(person=hidden_person(), publication_state="draft", **fields)
    capture = make_capture()
    make_citation(case, capture, case_field="listing", quote="他说很高兴。")
    make_citation(case, capture, restriction=make_restriction(case))
    make_citation(case, capture, amount=make_amount(case))
    return services.submit_for_review(case=case, by=editor)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("person").get(pk=case.pk)


# --- Publishing ------------------------------------------------------------------------------


def test_publishing_is_refused_with_every_place_then_allowed_once_a_reviewer_accepts_one(
    editor, reviewer
):
    case = case_in_review(editor, summary="Gao Xing was listed.")
    quote = case.citations.get(case_field="listing")

    with pytest.raises(services.NameLeakFound) as refused:
        services.publish(case=case, by=reviewer)
    places = [finding.place for finding in refused.value.findings]
    assert places == ["summary", f"citation #{quote.pk} quote"]
    assert "summary (“Gao Xing”)" in str(refused.value)
    assert fresh(case).publication_state == "in_review"

    # The quote's 高兴 is the word "glad": a reviewer accepts that finding, with a reason.
    [override] = name_leaks.accept_name_leaks(
        case=case,
        findings=[(f"citation #{quote.pk} quote", "高兴")],
        reason="高兴 here is the word “glad”.",
        by=reviewer,
    )
    assert (override.accepted_by, override.reason) == (reviewer, "高兴 here is the word “glad”.")
    assert override.created_at is not None
    assert override.changes.get().pgh_context.metadata["user"] == reviewer.pk  # in history

    with pytest.raises(services.NameLeakFound) as refused:  # the summary still names him
        services.publish(case=case, by=reviewer)
    assert [finding.place for finding in refused.value.findings] == ["summary"]

    Case.objects.filter(pk=case.pk).update(summary="A man was listed.")
    assert services.publish(case=fresh(case), by=reviewer).publication_state == "published"


def test_an_override_applies_to_its_case_place_and_form_only(editor, reviewer):
    case = case_in_review(editor, narrative="他很高兴。")
    other = case_in_review(editor)
    quote = case.citations.get(case_field="listing")
    name_leaks.accept_name_leaks(
        case=case, findings=[(f"citation #{quote.pk} quote", "高兴")], reason="glad", by=reviewer
    )
    assert [f.place for f in name_leaks.unresolved_name_leaks(fresh(case))] == ["narrative"]
    assert len(name_leaks.unresolved_name_leaks(fresh(other))) == 1  # its own quote


def test_a_finding_that_is_not_there_cannot_be_accepted_nor_one_without_a_reason(editor, reviewer):
    case = case_in_review(editor)
    with pytest.raises(ValidationError):
        name_leaks.accept_name_leaks(
            case=case, findings=[("summary", "高兴")], reason="glad", by=reviewer
        )
    quote = case.citations.get(case_field="listing")
    with pytest.raises(ValidationError):
        name_leaks.accept_name_leaks(
            case=case, findings=[(f"citation #{quote.pk} quote", "高兴")], reason=" ", by=reviewer
        )
    assert not NameLeakOverride.objects.exists()


def test_an_editor_cannot_accept_a_finding_nor_withdraw_one(editor, reviewer, as_editor):
    case = case_in_review(editor)
    quote = case.citations.get(case_field="listing")
    finding = (f"citation #{quote.pk} quote", "高兴")
    with pytest.raises(PermissionDenied):
        name_leaks.accept_name_leaks(case=case, findings=[finding], reason="glad", by=editor)
    [override] = name_leaks.accept_name_leaks(
        case=case, findings=[finding], reason="glad", by=reviewer
    )
    with pytest.raises(PermissionDenied):
        name_leaks.withdraw_name_leak_override(override=override, by=editor)
    withdraw = reverse("editorial:withdraw-name-leak-override", args=[case.public_id])
    assert as_editor.post(withdraw, {"override": override.pk}).status_code == 403
    override.delete()

    url = reverse("editorial:name-leaks", args=[case.public_id])
    [shown] = name_leaks.find_name_leaks(fresh(case))
    response = as_editor.post(url, {"finding": shown.token, "reason": "glad"})
    assert response.status_code == 403
    assert not NameLeakOverride.objects.exists()
    page = as_editor.get(url)  # editors see the findings, without the form
    assert page.status_code == 200
    assert "高兴" in page.text and 'name="reason"' not in page.text


def test_a_withheld_persons_case_is_checked_when_published(editor, reviewer):
    case = case_in_review(editor, summary="Gao Xing was listed.")
    case.person.privacy = "withheld"
    case.person.save()
    with pytest.raises(services.NameLeakFound):
        services.publish(case=fresh(case), by=reviewer)


def test_a_public_figures_case_publishes_with_the_name(editor, reviewer):
    case = case_in_review(editor, summary="Gao Xing was listed.")
    case.person.privacy = "public"
    case.person.save()
    assert services.publish(case=fresh(case), by=reviewer).publication_state == "published"


def test_the_publish_page_lists_the_findings_and_a_reviewer_accepts_one_there(
    editor, as_reviewer, reviewer
):
    case = case_in_review(editor)
    quote = case.citations.get(case_field="listing")
    publish_url = reverse("editorial:publish", args=[case.public_id])

    page = as_reviewer.get(publish_url)
    assert page.status_code == 200
    [finding] = page.context["name_leaks"]
    assert (finding.place, finding.form) == (f"citation #{quote.pk} quote", "高兴")
    assert "他说很高兴。" in page.text and 'name="reason"' in page.text

    refused = as_reviewer.post(publish_url, {"version": fresh(case).version})
    assert refused.status_code == 200
    assert f"citation #{quote.pk} quote" in str(refused.context["form"].non_field_errors())
    assert fresh(case).publication_state == "in_review"

    accepted = as_reviewer.post(
        reverse("editorial:name-leaks", args=[case.public_id]),
        {"finding": finding.token, "reason": "The word “glad”.", "next": publish_url},
    )
    assert accepted.status_code == 302 and accepted.url == publish_url
    override = NameLeakOverride.objects.get(case=case)
    assert (override.place, override.form, override.accepted_by) == (
        f"citation #{quote.pk} quote",
        "高兴",
        reviewer,
    )
    assert "Accepted by reviewer" in as_reviewer.get(publish_url).text

    published = as_reviewer.post(publish_url, {"version": fresh(case).version})
    assert published.status_code == 302
    assert fresh(case).publication_state == "published"

    # The case's name-check page lists the override, and a reviewer may withdraw it.
    check_page = as_reviewer.get(reverse("editorial:name-leaks", args=[case.public_id]))
    assert "The word “glad”." in check_page.text
    as_reviewer.post(
        reverse("editorial:withdraw-name-leak-override", args=[case.public_id]),
        {"override": override.pk},
    )
    assert not NameLeakOverride.objects.exists()
    assert len(name_leaks.unresolved_name_leaks(fresh(case))) == 1


# --- Corrections of a published case -----------------------------------------------------


def published_case(**fields) -> Case:
    case = make_case(person=hidden_person(), summary="A man was listed.", **fields)
    make_restriction(case, details="No flights.")
    return case


def test_an_api_correction_that_names_the_person_is_refused_with_400(client, reviewer):
    case = published_case()
    response = send_json(
        client,
        "patch",
        f"/api/v1/editor/cases/{case.public_id}/",
        {
            "summary": "Gao Xing was listed.",
            "restrictions": [{"kind": "air_travel", "details": "高興 could not fly."}],
        },
        headers={**api_headers(reviewer), "If-Match": f'"{fresh(case).version}"'},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [(e["in"], e["name"], e["code"]) for e in body["errors"]] == [
        ("body", "summary", "name_leak"),
        ("body", "restrictions[0].details", "name_leak"),
    ]
    assert "“Gao Xing”" in body["errors"][0]["message"]
    # Nothing was written.
    assert fresh(case).summary == "A man was listed."
    assert list(case.restrictions.values_list("details", flat=True)) == ["No flights."]


def test_an_api_correction_of_a_draft_is_not_checked(client, editor):
    case = published_case()
    Case.objects.filter(pk=case.pk).update(publication_state="draft")
    response = send_json(
        client,
        "patch",
        f"/api/v1/editor/cases/{case.public_id}/",
        {"summary": "Gao Xing was listed."},
        headers={**api_headers(editor), "If-Match": f'"{fresh(case).version}"'},
    )
    assert response.status_code == 200  # checked when it is published


def admin_correction(client, case, **fields):
    return client.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        change_form(fresh(case), fresh(case).version, **fields),
    )


def test_an_admin_correction_is_refused_after_its_inlines_are_saved_and_rolled_back(
    as_reviewer, reviewer
):
    case = published_case()
    inline = {
        "restrictions-TOTAL_FORMS": "1",
        "restrictions-0-kind": "loans_credit",
        "restrictions-0-details": "Gao Xing could not borrow.",
    }
    response = admin_correction(as_reviewer, case, summary="He was listed.", **inline)
    assert response.status_code == 200
    form = response.context["adminform"].form
    [finding] = form.name_leak_refusal.findings
    assert finding.place.endswith(" details") and finding.form == "gao xing"
    assert finding.place in str(form.non_field_errors())
    assert "Gao Xing could not borrow." in response.text  # the reviewer's input is kept
    # Nothing was written: neither the case's field nor the new restriction.
    assert fresh(case).summary == "A man was listed."
    assert case.restrictions.count() == 1

    # Ticking the finding without a reason is refused; with a reason, it is accepted.
    ticked = {**inline, "accept_name_leaks": finding.token}
    response = admin_correction(as_reviewer, case, summary="He was listed.", **ticked)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name_leak_reason"]
    assert 'id="accept-name-leak-1" checked' in response.text  # still ticked
    response = admin_correction(
        as_reviewer, case, summary="He was listed.", name_leak_reason="A test.", **ticked
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert fresh(case).summary == "He was listed."
    assert case.restrictions.count() == 2
    # The restriction was written anew on each try: the override names the saved one.
    restriction = case.restrictions.get(kind="loans_credit")
    override = NameLeakOverride.objects.get(case=case)
    assert (override.place, override.form, override.reason, override.accepted_by) == (
        f"restriction #{restriction.pk} details",
        "gao xing",
        "A test.",
        reviewer,
    )


def test_an_admin_correction_of_a_field_is_refused_with_the_place(as_reviewer):
    case = published_case()
    response = admin_correction(as_reviewer, case, summary="Gao Xing, listed.")
    assert response.status_code == 200
    assert "summary (“Gao Xing”)" in str(response.context["adminform"].form.non_field_errors())
    assert 'id="name-leaks"' in response.text
    assert fresh(case).summary == "A man was listed."


def test_restoring_a_version_that_named_the_person_is_refused(reviewer, as_reviewer):
    case = published_case()
    Case.objects.filter(pk=case.pk).update(summary="Gao Xing was listed.")
    named_at = case_changes(case)[-1].at
    Case.objects.filter(pk=case.pk).update(summary="A man was listed.")

    with pytest.raises(services.NameLeakFound):
        services.restore_case_version(case=fresh(case), as_of=named_at, by=reviewer)
    assert fresh(case).summary == "A man was listed."

    response = as_reviewer.post(
        reverse("editorial:restore", args=[case.public_id]),
        {"as_of": named_at.isoformat(), "version": fresh(case).version},
        follow=True,
    )
    assert "summary (“Gao Xing”)" in response.text
    assert fresh(case).summary == "A man was listed."


# --- check_name_leaks ----------------------------------------------------------------------


def check(*args) -> tuple[str, bool]:
    out = io.StringIO()
    try:
        call_command("check_name_leaks", *args, stdout=out)
    except CommandError as error:
        return out.getvalue() + str(error), False
    return out.getvalue(), True


def test_check_name_leaks_lists_the_published_cases_that_fail_and_exits_non_zero(reviewer):
    clean = published_case()
    named = published_case(narrative="Gao Xing said so.")
    draft = published_case(outcome="Gao Xing paid.", publication_state="draft")
    public = make_case(person=make_person(name_original="高兴"), summary="Gao Xing, listed.")

    output, ok = check()
    assert not ok
    assert f"{named.public_id}  G. X. (pseudonymised, published)" in output
    assert "  narrative: “gao xing” in “Gao Xing said so.”" in output
    assert "1 of 2 published cases" in output  # the draft and the public figure: not checked
    for other in (clean, draft, public):
        assert other.public_id not in output

    output, ok = check("--all")
    assert not ok and draft.public_id in output and "(pseudonymised, draft)" in output

    name_leaks.accept_name_leaks(
        case=named, findings=[("narrative", "gao xing")], reason="A test.", by=reviewer
    )
    output, ok = check()
    assert ok and "None of 2 published cases" in output
