"""The quote check: each citation's quote looked for in its capture's kept text, the
result stored when the citation or the capture's files are saved, and read when a case is
published (a quote not found needs a reviewer's recorded reason)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from casefile.cases import services
from casefile.cases.models import Case, Citation, QuoteNotFoundReason
from casefile.cases.quotes import check_quote, check_quotes
from tests.api_support import auth, send_json, token
from tests.capture_support import CHINESE_SENTENCE, ENGLISH_SENTENCE, html, keep, pdf, png, text
from tests.factories import make_capture, make_case, make_citation

pytestmark = pytest.mark.django_db

TRADITIONAL_PAGE = html(
    "<p>被執行人劉虎有履行能力而拒不履行生效法律文書確定義務，法院將其列入失信被執行人名單。</p>"
    "<p>He said: “I was not told,” and later, the judge —  reluctantly — agreed.</p>"
)


@pytest.fixture
def captured(editor):
    capture = make_capture()
    keep(capture, TRADITIONAL_PAGE, by=editor)
    return capture


@pytest.mark.parametrize(
    "quote",
    [
        "有履行能力而拒不履行",  # simplified, against a traditional page
        "有履行能力而拒不履行生效法律文书确定义务,法院将其列入",  # half-width comma
        "「有履行能力 而拒不履行」",  # brackets and a space the page lacks
        "ＩＷＡＳＮＯＴＴＯＬＤ",  # full-width letters, no spaces, no punctuation
        "I was not told, and later the judge - reluctantly - agreed",
        "i was NOT told",
    ],
)
def test_quotes_are_found_across_scripts_widths_punctuation_and_spaces(captured, quote):
    assert check_quote(captured.pk, quote) == "found"


def test_a_quote_that_is_not_in_the_text_is_flagged(captured):
    assert check_quote(captured.pk, "有能力履行而拒不履行") == "not_found"
    assert check_quote(captured.pk, "He said he was told") == "not_found"
    assert check_quote(captured.pk, "“…”") == "not_found"  # nothing in it to find


def test_no_text_to_check_without_a_file_with_text(editor):
    bare = make_capture()
    assert check_quote(bare.pk, "Anything") == "no_text"
    screenshot = make_capture()
    keep(screenshot, png(), by=editor)
    assert check_quote(screenshot.pk, "Anything") == "no_text"
    assert check_quote(bare.pk, "") == ""


def test_the_result_is_stored_when_a_citation_is_saved_and_when_a_file_is_attached(editor):
    capture = make_capture()
    case = make_case(publication_state="draft")
    found = make_citation(case, capture, quote=CHINESE_SENTENCE)
    missing = make_citation(case, capture, quote="Not in there.", case_field="listing")
    unquoted = make_citation(case, capture, case_field="reason")
    assert (found.quote_check, missing.quote_check, unquoted.quote_check) == (
        "no_text",
        "no_text",
        "",
    )
    version = Case.objects.get(pk=case.pk).version
    keep(capture, pdf(CHINESE_SENTENCE, ENGLISH_SENTENCE), by=editor)
    for citation in (found, missing, unquoted):
        citation.refresh_from_db()
    assert (found.quote_check, missing.quote_check, unquoted.quote_check) == (
        "found",
        "not_found",
        "",
    )
    assert Case.objects.get(pk=case.pk).version != version
    missing.quote = ENGLISH_SENTENCE.upper()
    missing.save()
    missing.refresh_from_db()
    assert missing.quote_check == "found"


def test_a_quote_without_a_result_is_refused_by_the_database():
    from django.db import IntegrityError, transaction

    citation = make_citation(make_case(), make_capture())
    with pytest.raises(IntegrityError, match="citation_quote_checked"), transaction.atomic():
        Citation.objects.filter(pk=citation.pk).update(quote="Written in bulk, unchecked.")
    Citation.objects.filter(pk=citation.pk).update(quote="Written in bulk.", quote_check="no_text")
    assert check_quotes(Citation.objects.filter(pk=citation.pk)) == 0


def test_the_apis_whole_case_writes_check_quotes(captured, client):
    key = token(groups=["editor"])
    person = make_case().person
    response = send_json(
        client,
        "post",
        "/api/v1/editor/cases/",
        {
            "person": person.pk,
            "citations": [
                {"capture": captured.pk, "claim": "listing", "quote": "拒不履行"},
                {"capture": captured.pk, "claim": "reason", "quote": "Not there at all"},
            ],
        },
        headers=auth(key),
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(public_id=response.json()["id"])
    assert sorted(case.citations.values_list("quote_check", flat=True)) == ["found", "not_found"]
    assert [c["quote_verified"] for c in response.json()["citations"]] == [True, False]


def in_review_with(capture, quote):
    case = make_case(publication_state="in_review")
    make_citation(case, capture, quote=quote, case_field="listing")
    return case


def test_a_reviewer_cannot_publish_a_quote_not_found_without_saying_why(captured, reviewer, editor):
    case = in_review_with(captured, "A passage the page does not hold.")
    with pytest.raises(services.QuotesNotFound) as refusal:
        services.publish(case=case, by=reviewer)
    assert "A passage the page does not hold." in str(refusal.value)
    assert Case.objects.get(pk=case.pk).publication_state == "in_review"
    citation = case.citations.get()
    with pytest.raises(PermissionDenied):
        services.explain_unverified_quotes(case=case, citations=[citation], reason="x", by=editor)
    with pytest.raises(ValidationError):
        services.explain_unverified_quotes(case=case, citations=[citation], reason=" ", by=reviewer)
    services.explain_unverified_quotes(
        case=case,
        citations=[citation],
        reason="The passage is in a photo of the notice on the page.",
        by=reviewer,
    )
    reason = QuoteNotFoundReason.objects.get(case=case)
    assert reason.accepted_by == reviewer and reason.quote == citation.quote
    assert services.publish(case=case, by=reviewer).publication_state == "published"


def test_a_reason_applies_to_its_quote_only(captured, reviewer):
    case = in_review_with(captured, "First unfound passage.")
    services.explain_unverified_quotes(
        case=case, citations=list(case.citations.all()), reason="In an image.", by=reviewer
    )
    citation = case.citations.get()
    citation.quote = "Second unfound passage."
    citation.save()
    with pytest.raises(services.QuotesNotFound):
        services.publish(case=case, by=reviewer)


def test_no_text_to_check_does_not_block_publication(reviewer):
    case = in_review_with(make_capture(), "Quoted from a source whose file is not kept.")
    assert services.publish(case=case, by=reviewer).publication_state == "published"


def test_publishing_reads_the_stored_result_and_computes_nothing(captured, reviewer, monkeypatch):
    import casefile.cases.quotes as quotes

    case = in_review_with(captured, "拒不履行")
    monkeypatch.setattr(quotes, "results", lambda pairs: pytest.fail("computed at publication"))
    assert services.publish(case=case, by=reviewer).publication_state == "published"


def test_the_publish_page_lists_the_quotes_and_takes_a_reviewers_reason(captured, as_reviewer):
    case = in_review_with(captured, "Not in the kept page.")
    case.refresh_from_db()
    page = as_reviewer.get(reverse("editorial:publish", args=[case.public_id]))
    assert "Not in the kept page." in page.text and 'id="unverified-quotes"' in page.text
    refused = as_reviewer.post(
        reverse("editorial:publish", args=[case.public_id]), {"version": case.version}
    )
    assert "reason for each quote" in refused.text
    citation = case.citations.get()
    as_reviewer.post(
        reverse("editorial:quotes", args=[case.public_id]),
        {"citations": [citation.pk], "reason": "Quoted from the print edition."},
    )
    case.refresh_from_db()
    done = as_reviewer.post(
        reverse("editorial:publish", args=[case.public_id]), {"version": case.version}
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).publication_state == "published"


def test_editors_see_results_on_the_case_form_and_the_dashboard(captured, make_user, client):
    case = make_case(publication_state="draft")
    make_citation(case, captured, quote="拒不履行", case_field="listing")
    make_citation(case, captured, quote="Nowhere in the page.", case_field="reason")
    client.force_login(make_user("editor", "edith"))
    form = client.get(reverse("admin:cases_case_change", args=[case.pk])).text
    assert "Found in the kept file" in form and "Not found in the kept files" in form
    dashboard = client.get(reverse("editorial:dashboard")).text
    section = dashboard.split('id="quotes-not-found"')[1].split("</section>")[0]
    assert "Nowhere in the page." in section and "拒不履行" not in section
    assert case.public_id in section


def test_the_public_page_and_the_api_mark_verified_quotes(captured, client, editor):
    case = make_case()
    make_citation(case, captured, quote="拒不履行", case_field="listing")
    make_citation(case, captured, quote="Words the page lacks.", case_field="reason")
    page = client.get(case.get_absolute_url()).text
    assert page.count("Quote verified against the kept file") == 1
    assert f'href="/captures/{captured.pk}/"' in page
    record = client.get(f"/api/v1/cases/{case.public_id}/").json()
    assert sorted(c["quote_verified"] for c in record["citations"]) == [False, True]
    keep(make_capture(), text("x"), by=editor)  # other captures' files change nothing here
