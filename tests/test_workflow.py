"""The publication workflow: draft → in review → published → retracted, and who may do what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from casefile.cases import services
from casefile.cases.models import Case
from tests.factories import (
    make_amount,
    make_capture,
    make_case,
    make_citation,
    make_person,
    make_restriction,
)

pytestmark = pytest.mark.django_db


def draft_case(**fields) -> Case:
    return make_case(publication_state="draft", **fields)


def fully_cited_case(**fields) -> Case:
    case = draft_case(**fields)
    capture = make_capture()
    make_citation(case, capture, case_field="listing")
    make_citation(case, capture, restriction=make_restriction(case))
    make_citation(case, capture, amount=make_amount(case))
    return case


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_case_goes_from_draft_through_review_to_published_and_retracted(editor, reviewer):
    case = fully_cited_case()
    case = services.submit_for_review(case=case, by=editor)
    assert case.publication_state == "in_review"

    case = services.publish(case=case, by=reviewer)
    assert case.publication_state == "published"
    assert case.published_at is not None
    assert Case.objects.published().filter(pk=case.pk).exists()

    case = services.retract(case=case, by=reviewer, note="The source was found to be unreliable.")
    assert case.publication_state == "retracted"
    assert case.retracted_at is not None
    assert not Case.objects.published().filter(pk=case.pk).exists()
    # Retracted cases keep their data.
    assert case.restrictions.count() == 1 and case.amounts.count() == 1


def test_a_reviewer_sends_a_case_back_to_draft_with_a_comment(editor, reviewer):
    case = services.submit_for_review(case=draft_case(), by=editor)
    case = services.send_back(case=case, by=reviewer, comment="Cite the amount.")
    assert case.publication_state == "draft"
    assert case.review_comment == "Cite the amount."
    with pytest.raises(ValidationError):
        services.send_back(
            case=services.submit_for_review(case=case, by=editor), by=reviewer, comment=" "
        )


def test_publishing_lists_every_missing_citation(editor, reviewer):
    case = draft_case()
    air, rail = make_restriction(case), make_restriction(case, kind="high_speed_rail")
    fee = make_amount(case, kind="fee")
    make_citation(case, restriction=air)  # one restriction is cited, the rest is not
    case = services.submit_for_review(case=case, by=editor)

    with pytest.raises(services.PublicationBlocked) as blocked:
        services.publish(case=case, by=reviewer)

    missing = blocked.value.missing
    assert len(missing) == 3
    assert missing[0].startswith("the case itself")
    assert missing[1] == f"restriction “High-speed (top-tier) trains” (#{rail.pk})"
    assert missing[2] == f"amount “Fee or cost: 100.00 CNY” (#{fee.pk})"
    assert f"(#{air.pk})" not in " ".join(m for m in missing if m.startswith("restriction"))
    assert fresh(case).publication_state == "in_review"


def test_editors_cannot_publish_send_back_or_retract(editor):
    case = services.submit_for_review(case=fully_cited_case(), by=editor)
    with pytest.raises(PermissionDenied):
        services.publish(case=case, by=editor)
    with pytest.raises(PermissionDenied):
        services.send_back(case=case, by=editor, comment="no")
    with pytest.raises(PermissionDenied):
        services.retract(case=case, by=editor, note="no")
    assert fresh(case).publication_state == "in_review"


def test_steps_refuse_the_wrong_starting_state(editor, reviewer):
    case = fully_cited_case()
    with pytest.raises(services.WorkflowError, match="in review"):
        services.publish(case=case, by=reviewer)
    with pytest.raises(services.WorkflowError, match="published"):
        services.retract(case=case, by=reviewer, note="x")


def test_publishing_a_published_case_changes_nothing(reviewer):
    case = make_case()  # published
    version = case.version
    assert services.publish(case=case, by=reviewer).version == version


def test_editor_cannot_open_the_publish_page_and_reviewer_can(client, editor, reviewer):
    case = services.submit_for_review(case=fully_cited_case(), by=editor)
    url = reverse("editorial:publish", args=[case.public_id])
    client.force_login(editor)
    assert client.get(url).status_code == 403
    assert client.post(url, {"version": fresh(case).version}).status_code == 403
    assert fresh(case).publication_state == "in_review"

    client.force_login(reviewer)
    response = client.post(url, {"version": fresh(case).version})
    assert response.status_code == 302
    assert fresh(case).publication_state == "published"


def test_the_publish_page_shows_what_is_missing(as_reviewer, editor):
    case = draft_case()
    make_restriction(case)
    case = services.submit_for_review(case=case, by=editor)
    url = reverse("editorial:publish", args=[case.public_id])
    response = as_reviewer.post(url, {"version": case.version})
    assert response.status_code == 200
    assert "restriction “Air travel”" in response.text
    assert "the case itself" in response.text
    assert fresh(case).publication_state == "in_review"


def test_the_admin_no_longer_lets_anyone_type_a_publication_state(as_editor):
    case = draft_case()
    response = as_editor.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert "publication_state" not in response.context["adminform"].form.fields
    assert reverse("editorial:submit", args=[case.public_id]) in response.text
    assert reverse("editorial:publish", args=[case.public_id]) not in response.text


def test_editors_cannot_change_a_published_case_but_reviewers_can(client, editor, reviewer):
    case = make_case()
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    client.force_login(reviewer)
    assert client.get(url).context["has_change_permission"]


def test_a_retracted_case_answers_410_with_its_note_and_date(client, reviewer):
    case = services.retract(case=make_case(), by=reviewer, note="Identity could not be confirmed.")
    response = client.get(case.get_absolute_url())
    assert response.status_code == 410
    assert "Identity could not be confirmed." in response.text
    assert f"{case.retracted_at:%-d %B %Y}" in response.text
    assert case.person.public_name() not in response.text
    changes = client.get(reverse("case-changes", args=[case.public_id]))
    assert changes.status_code == 410


def test_a_withheld_persons_retracted_case_stays_unknown(client, reviewer):
    case = make_case(person=make_person(privacy="withheld"))
    case = services.retract(case=case, by=reviewer, note="Withdrawn.")
    assert client.get(case.get_absolute_url()).status_code == 404


EDITING_PAGES = [
    ("editorial:dashboard", False),
    ("editorial:submit", True),
    ("editorial:publish", True),
    ("editorial:send-back", True),
    ("editorial:retract", True),
    ("editorial:history", True),
    ("editorial:merge-people", False),
    ("admin:cases_case_import", False),
    ("admin:cases_case_changelist", False),
    ("admin:cases_case_add", False),
]


@pytest.mark.parametrize(("url_name", "takes_case"), EDITING_PAGES)
def test_anonymous_visitors_reach_no_editing_page(client, url_name, takes_case):
    case = draft_case()
    url = reverse(url_name, args=[case.public_id] if takes_case else [])
    for response in (client.get(url), client.post(url, {"version": case.version})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert fresh(case).publication_state == "draft"


def test_anonymous_visitors_cannot_restore(client):
    case = draft_case()
    response = client.post(reverse("editorial:restore", args=[case.public_id]), {"as_of": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
