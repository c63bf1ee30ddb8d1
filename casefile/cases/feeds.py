"""The search as an Atom feed (RFC 4287): `/cases/feed.atom?…`, the search page's
parameters with the same meaning and validation (CaseFilter).

Newest first by when each case was published or last corrected (its updated_at), at
most ENTRIES entries: each with the case's summary, its permanent page URL as its id,
and its update time. The unfiltered feed also says when a case left (retracted, or
withdrawn because its person is now withheld: visibility.tombstones()), as an entry of
the same id that says so and names nobody. A filtered feed cannot: matching a case that
left against the filters would need the data that is no longer public.

Entry ids and links are permanent addresses (SITE_URL), so they stay the same whatever
host served the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext

from casefile.cases import visibility
from casefile.cases.facets import with_changes
from casefile.cases.filters import CaseFilter
from casefile.core.languages import html_lang
from casefile.core.links import permanent_url

ENTRIES = 50
# Parameters that do not narrow the search: a feed with only these is unfiltered.
NOT_FILTERS = {"ordering"}


@dataclass(frozen=True)
class Entry:
    public_id: str
    updated: datetime
    state: str  # "published", or a tombstone's "retracted" / "withdrawn"
    pk: int | None = None


def is_filtered(params) -> bool:
    names = CaseFilter.parameter_names() - NOT_FILTERS
    return any(value.strip() for name in names for value in params.getlist(name))


def entries(filterset, *, filtered: bool) -> list[Entry]:
    """The feed's entries for a valid CaseFilter, newest first: one query for the
    published cases (and one for the cases that left, unfiltered)."""
    published = filterset.qs.order_by("-updated_at", "-public_id").values_list(
        "id", "public_id", "updated_at"
    )[:ENTRIES]
    found = [Entry(public_id, updated, "published", pk) for pk, public_id, updated in published]
    if not filtered:
        left = (
            visibility.tombstones()
            .order_by("-left_public_at", "-public_id")
            .values_list("public_id", "left_public_at", "tombstone")[:ENTRIES]
        )
        found += [Entry(public_id, left_at, state) for public_id, left_at, state in left]
    found.sort(key=lambda entry: (entry.updated, entry.public_id), reverse=True)
    return found[:ENTRIES]


def _title(params, filtered: bool) -> str:
    if not filtered:
        return gettext("%(site)s: newest and corrected cases") % {"site": settings.SITE_NAME}
    shown = [
        f"{name}={value}"
        for name, values in params.lists()
        if name in CaseFilter.parameter_names()
        for value in values
        if value.strip()
    ]
    return gettext("%(site)s: cases matching %(search)s") % {
        "site": settings.SITE_NAME,
        "search": gettext(", ").join(shown),
    }


def atom(params, found: list[Entry], *, filtered: bool) -> str:
    """The feed document, in the active language: the unprefixed feed in English, the
    /zh-hans/ one in Chinese, linking to the pages in its language. Entries are
    identified by the permanent (English) address of their case in both."""
    query = with_changes(params)
    search_url = permanent_url(reverse("case-list") + ("" if query == "?" else query))
    feed_url = permanent_url(reverse("case-feed") + ("" if query == "?" else query))
    description = gettext(
        "Published cases of this search, newest first by publication or correction date."
    )
    if not filtered:
        description += " " + gettext("Retracted and withdrawn cases are announced as such.")
    feed = Atom1Feed(
        title=_title(params, filtered),
        link=search_url,
        feed_url=feed_url,
        feed_guid=feed_url,
        description=description,
        author_name=gettext("%(site)s editors") % {"site": settings.SITE_NAME},
        language=html_lang(),
        feed_copyright=gettext("Data: %(license)s")
        % {
            "license": f"{settings.DATA_LICENSE_TITLE} ({settings.DATA_LICENSE}), "
            f"{settings.DATA_LICENSE_URL}. {settings.DATA_LICENSE_EXCEPTION}"
        },
    )
    cases = {
        case.pk: case
        for case in visibility.public_cases()
        .filter(pk__in=[entry.pk for entry in found if entry.pk])
        .for_display()
    }
    for entry in found:
        url = permanent_url(reverse("case-detail", args=[entry.public_id]))
        with translation.override(settings.LANGUAGE_CODE):
            permanent = permanent_url(reverse("case-detail", args=[entry.public_id]))
        if entry.state == "published":
            case = cases.get(entry.pk)
            if case is None:  # it left between the two queries: the next fetch says so
                continue
            feed.add_item(
                title=gettext("%(name)s: %(list)s, case %(id)s")
                % {
                    "name": case.person.display_name(),
                    "list": case.get_list_name_display(),
                    "id": case.public_id,
                },
                link=url,
                unique_id=permanent,
                description=linebreaks(escape(case.summary)),
                pubdate=case.published_at,
                updateddate=case.updated_at,
                categories=[str(case.get_offence_category_display())],
            )
        else:
            if entry.state == "retracted":
                title = gettext("Case %(id)s retracted")
                said = gettext(
                    "Case %(id)s was retracted by the editors; its page gives the date and "
                    "the editors' note. Remove it from your copy."
                )
            else:
                title = gettext("Case %(id)s withdrawn")
                said = gettext("Case %(id)s is no longer public. Remove it from your copy.")
            feed.add_item(
                title=title % {"id": entry.public_id},
                link=url,
                unique_id=permanent,
                description=escape(said % {"id": entry.public_id}),
                updateddate=entry.updated,
            )
    return feed.writeString("utf-8")
