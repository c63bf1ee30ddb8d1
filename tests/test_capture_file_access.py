"""Who has a kept file: editors always; the public only where the source's sharing allows
and the file is no file of a case whose person is not a public figure. No kept file is
served as active content of the site's origin; its hash, size and time are public
wherever its capture is cited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from casefile.cases.visibility import file_sharing, may_file_be_public
from casefile.sources.models import Source
from casefile.sources.services import set_sharing
from tests.api_support import body
from tests.capture_support import html, keep, pdf, sha256
from tests.factories import make_capture, make_case, make_citation, make_person, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_file(reviewer):
    """A PDF of a capture a public figure's published case cites, shared publicly."""
    source = make_source(sharing="public")
    capture = make_capture(source)
    make_citation(make_case(person=make_person(privacy="public")), capture)
    return keep(capture, pdf("Shared report."), by=reviewer)


def download(client, kept):
    return client.get(reverse("capture-file", args=[kept.capture_id, kept.sha256]))


def test_a_shared_file_is_downloaded_as_an_attachment_that_runs_nothing(client, public_file):
    response = download(client, public_file)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"casefile-capture-{public_file.capture_id}-" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "allow-scripts" not in csp
    assert "default-src 'none'" in csp
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"{public_file.sha256}"'
    again = client.get(
        reverse("capture-file", args=[public_file.capture_id, public_file.sha256]),
        headers={"If-None-Match": response["ETag"]},
    )
    assert again.status_code == 304


def test_the_bytes_served_are_the_bytes_kept(client, reviewer):
    data = pdf("Exactly these bytes.")
    source = make_source(sharing="public")
    capture = make_capture(source)
    make_citation(make_case(person=make_person(privacy="public")), capture)
    kept = keep(capture, data, by=reviewer)
    served = b"".join(download(client, kept).streaming_content)
    assert served == data and sha256(served) == kept.sha256


@pytest.mark.parametrize("sharing", ["never", "on_request"])
def test_a_file_not_shared_publicly_is_not_downloadable_but_its_facts_are_public(
    client, public_file, sharing
):
    Source.objects.filter(pk=public_file.capture.source_id).update(sharing=sharing)
    assert download(client, public_file).status_code == 404
    page = client.get(public_file.capture.get_absolute_url()).text
    assert public_file.sha256 in page and "Download" not in page
    assert ("on request" in page) == (sharing == "on_request")
    case = public_file.capture.citations.get().case
    case_page = client.get(case.get_absolute_url()).text
    assert public_file.sha256 in case_page
    record = client.get(f"/api/v1/cases/{case.public_id}/").json()
    (cited,) = record["citations"]
    assert cited["capture"]["files"][0]["sha256"] == public_file.sha256
    assert cited["capture"]["files"][0]["size"] == public_file.size
    assert cited["capture"]["source"]["sharing"] == sharing


@pytest.mark.parametrize("privacy", ["pseudonymised", "withheld"])
@pytest.mark.parametrize("state", ["draft", "published"])
def test_a_file_of_a_case_whose_person_is_not_a_public_figure_is_never_public(
    client, public_file, privacy, state
):
    assert may_file_be_public(public_file)
    make_citation(
        make_case(person=make_person(privacy=privacy), publication_state=state),
        public_file.capture,
    )
    assert not may_file_be_public(public_file)
    assert file_sharing([public_file]) == {public_file.pk: "never"}
    assert download(client, public_file).status_code == 404
    assert "Download" not in client.get(public_file.capture.get_absolute_url()).text


def test_a_file_of_a_capture_no_public_case_cites_is_not_found(client, reviewer):
    capture = make_capture(make_source(sharing="public"))
    make_citation(make_case(publication_state="draft", person=make_person()), capture)
    kept = keep(capture, pdf("Draft's file."), by=reviewer)
    assert download(client, kept).status_code == 404
    assert client.get(capture.get_absolute_url()).status_code == 404


def test_editors_always_have_the_file(as_editor, reviewer):
    capture = make_capture()  # sharing: never
    make_citation(make_case(person=make_person(privacy="pseudonymised")), capture)
    kept = keep(capture, pdf("Editors only."), by=reviewer)
    response = as_editor.get(reverse("editorial:kept-file", args=[kept.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_editors_download_needs_an_editor(client, reviewer, django_user_model):
    kept = keep(make_capture(), pdf("x"), by=reviewer)
    url = reverse("editorial:kept-file", args=[kept.pk])
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(django_user_model.objects.create_user("visitor", is_staff=True))
    assert client.get(url).status_code == 403


def test_a_saved_page_is_shown_in_a_sandboxed_frame_and_nowhere_else(client, reviewer):
    source = make_source(sharing="public")
    capture = make_capture(source)
    make_citation(make_case(person=make_person(privacy="public")), capture)
    kept = keep(capture, html("<p>Saved.</p><script>alert(1)</script>"), by=reviewer)
    viewer = client.get(reverse("capture-file-view", args=[capture.pk, kept.sha256]))
    assert viewer.status_code == 200
    assert '<iframe class="kept-page"' in viewer.text and 'sandbox=""' in viewer.text
    frame = client.get(reverse("capture-file-frame", args=[capture.pk, kept.sha256]))
    assert frame.status_code == 200
    assert frame["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in frame["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert frame["X-Content-Type-Options"] == "nosniff"
    assert frame["Content-Disposition"] == "inline"
    assert client.get(reverse("capture-file", args=[capture.pk, kept.sha256]))[
        "Content-Disposition"
    ].startswith("attachment")
    pdf_file = keep(capture, pdf("Not a page."), by=reviewer)
    assert (
        client.get(reverse("capture-file-view", args=[capture.pk, pdf_file.sha256])).status_code
        == 404
    )


def test_public_downloads_have_a_quota(client, public_file, settings):
    settings.FILE_DOWNLOAD_QUOTA = "2/hour"
    assert download(client, public_file).status_code == 200
    assert download(client, public_file).status_code == 200
    refused = download(client, public_file)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_the_store_losing_a_file_is_a_404_not_a_500(client, public_file, _capture_file_store):
    (_capture_file_store / public_file.storage_name).unlink()
    assert download(client, public_file).status_code == 404


def test_making_files_public_is_a_reviewers_step(editor, reviewer, client):
    source = make_source()
    assert source.sharing == "never"
    set_sharing(source=source, sharing="on_request", by=editor)
    with pytest.raises(PermissionDenied, match="reviewer"):
        set_sharing(source=source, sharing="public", by=editor)
    set_sharing(source=source, sharing="public", by=reviewer)
    set_sharing(source=source, sharing="never", by=editor)  # editors may always share less
    assert source.changes.filter(sharing="public").exists()  # in the history
    client.force_login(editor)
    form = client.get(reverse("admin:sources_source_change", args=[source.pk]))
    assert form.status_code == 200
    post = {
        "kind": "news_article",
        "title": source.title,
        "outlet": source.outlet,
        "authors": "",
        "language": "en",
        "url": source.url,
        "published_on_precision": "",
        "relation": "other",
        "reliability": "unknown",
        "notes": "",
        "sharing": "public",
        "captures-TOTAL_FORMS": "0",
        "captures-INITIAL_FORMS": "0",
        "captures-MIN_NUM_FORMS": "0",
        "captures-MAX_NUM_FORMS": "1000",
    }
    refused = client.post(reverse("admin:sources_source_change", args=[source.pk]), post)
    assert refused.status_code == 200 and "Only a reviewer can make this change" in refused.text
    assert Source.objects.get(pk=source.pk).sharing == "never"
    client.force_login(reviewer)
    done = client.post(reverse("admin:sources_source_change", args=[source.pk]), post)
    assert done.status_code == 302, body(done)
    assert Source.objects.get(pk=source.pk).sharing == "public"
