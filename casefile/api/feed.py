"""The change feed: `/api/v1/cases/?updated_since=…`, what a mirror polls.

Three index-ordered reads, each stopped after one page, merged by (time, public id):

- public cases matching the filters, by updated_at;
- tombstones: cases that were public and left (retracted, or their person withheld),
  by when they left (visibility.tombstones());
- deletions of cases that were public once, by when (CaseDeletion).

A case that was never public (a draft, a case in review, a withheld person's case from
the start) is never named, and draft work moves nothing here.
"""

import heapq

from django.db.models import CharField, Q, Value

from casefile.api import conditional, records
from casefile.api.exceptions import invalid_parameter
from casefile.api.models import CaseDeletion
from casefile.api.pagination import query_signature
from casefile.api.serializers import TombstoneSerializer
from casefile.cases.models import Case
from casefile.cases.visibility import public_cases, public_last_modified, tombstones


def change_feed(request, filterset, paginator):
    """One page of the change feed for a valid CaseFilter with `updated_since`."""
    if "ordering" in request.query_params:
        raise invalid_parameter(
            "ordering", "The change feed is ordered by updated_at; leave out ordering."
        )
    since = filterset.form.cleaned_data["updated_since"]
    size = paginator.page_size_for(request)
    signature = query_signature(request, "feed")
    position = paginator.read_cursor(
        request, signature, [Case._meta.get_field(name) for name in ("updated_at", "public_id")]
    )

    def page_of(queryset, time_field, state):
        queryset = queryset.order_by(time_field, "public_id")
        if position is not None:
            after_t, after_id = position
            queryset = queryset.filter(
                Q(**{f"{time_field}__gt": after_t})
                | Q(**{time_field: after_t, "public_id__gt": after_id})
            )
        return list(queryset.values_list("public_id", time_field, state)[: size + 1])

    def constant(text):
        return Value(text, output_field=CharField())

    sources = [
        page_of(filterset.qs.annotate(state=constant("published")), "updated_at", "state"),
        page_of(tombstones().filter(left_public_at__gte=since), "left_public_at", "tombstone"),
        page_of(
            CaseDeletion.objects.filter(deleted_at__gte=since).annotate(state=constant("deleted")),
            "deleted_at",
            "state",
        ),
    ]
    changes = list(heapq.merge(*sources, key=lambda row: (row[1], row[0])))[: size + 1]
    next_values = None
    if len(changes) > size:
        changes = changes[:size]
        last_id, last_time, _ = changes[-1]
        next_values = [last_time, last_id]
    paginator.paginate_rows(changes, next_values, request, signature)

    def build():
        published_ids = [public_id for public_id, _, state in changes if state == "published"]
        keys = public_cases().filter(public_id__in=published_ids).values_list("id", flat=True)
        full = {record["id"]: record for record in records.case_records(list(keys), request)}
        results = []
        for public_id, changed_at, state in changes:
            if state != "published":
                results.append(
                    TombstoneSerializer(
                        {"id": public_id, "state": state, "updated_at": changed_at}
                    ).data
                )
            elif public_id in full:  # else it left since the first query: next poll says so
                results.append(full[public_id])
        return paginator.get_paginated_response(results)

    etag = conditional.digest_etag("feed", sorted(request.query_params.lists()), changes)
    return conditional.respond(
        request, etag=etag, last_modified=public_last_modified(), build=build
    )
