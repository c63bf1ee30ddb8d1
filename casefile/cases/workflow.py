"""The publication workflow as one table: each step, the states it starts from, the state it
leads to, who may take it and the service function that takes it.

    draft ──submit──▶ in review ──publish──▶ published ──retract──▶ retracted
      ▲                  │
      └────send back─────┘
    draft ──submit and publish (a reviewer, several cases at once)──▶ published

The services check a step against its row (casefile.cases.services: permission, then the
state under the row lock); the admin's links and bulk actions, the editors' single-case
pages and their bulk pages offer exactly the steps this table allows the user. A step
taken on several cases runs the same service function for each case, one after the other
(services.take_step).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casefile.cases.vocabularies import PublicationState

DRAFT = PublicationState.DRAFT
IN_REVIEW = PublicationState.IN_REVIEW
PUBLISHED = PublicationState.PUBLISHED
RETRACTED = PublicationState.RETRACTED


@dataclass(frozen=True)
class Step:
    key: str
    label: str  # the button: "Submit for review"
    from_states: frozenset[str]
    to_state: str
    permission: str
    service: str  # the function of casefile.cases.services that takes the step
    refusal: str  # said to someone without the permission
    done: str  # "published": what a case can be, in "Only a case that is … can be published"
    asks: str = ""  # what the step's form asks for besides a confirmation: "comment", "note"
    page: str = ""  # the editorial page (URL name) taking the step on one case
    bulk: bool = True  # offered for several selected cases at once

    def allowed(self, user) -> bool:
        return bool(user and user.has_perm(self.permission))

    def applies_to(self, state: str) -> bool:
        return state in self.from_states

    @property
    def from_label(self) -> str:
        """The states the step starts from, as words: "draft", "in review"."""
        return gettext(" or ").join(
            str(PublicationState(state).label).lower() for state in sorted(self.from_states)
        )

    @property
    def function(self):
        from casefile.cases import services

        return getattr(services, self.service)


STEPS: dict[str, Step] = {
    step.key: step
    for step in (
        Step(
            key="submit",
            label=_("Submit for review"),
            from_states=frozenset({DRAFT}),
            to_state=IN_REVIEW,
            permission="cases.change_case",
            service="submit_for_review",
            refusal=_("You cannot submit cases for review."),
            done=_("submitted for review"),
            page="editorial:submit",
        ),
        Step(
            key="publish",
            label=_("Publish"),
            from_states=frozenset({IN_REVIEW}),
            to_state=PUBLISHED,
            permission="cases.publish_case",
            service="publish",
            refusal=_("Only reviewers can publish cases."),
            done=_("published"),
            page="editorial:publish",
        ),
        Step(
            key="send_back",
            label=_("Send back to draft"),
            from_states=frozenset({IN_REVIEW}),
            to_state=DRAFT,
            permission="cases.publish_case",
            service="send_back",
            refusal=_("Only reviewers can send a case back."),
            done=_("sent back"),
            asks="comment",
            page="editorial:send-back",
        ),
        Step(
            key="retract",
            label=_("Retract"),
            from_states=frozenset({PUBLISHED}),
            to_state=RETRACTED,
            permission="cases.publish_case",
            service="retract",
            refusal=_("Only reviewers can retract cases."),
            done=_("retracted"),
            asks="note",
            page="editorial:retract",
            # Each retraction states its own public reason: one case at a time.
            bulk=False,
        ),
        Step(
            key="submit_and_publish",
            label=_("Submit and publish"),
            from_states=frozenset({DRAFT}),
            to_state=PUBLISHED,
            permission="cases.publish_case",
            service="submit_and_publish",
            refusal=_("Only reviewers can publish cases."),
            done=_("submitted and published"),
        ),
    )
}


def single_case_steps(user, state: str) -> list[Step]:
    """The steps with a page of their own that `user` may take on a case in `state`."""
    return [s for s in STEPS.values() if s.page and s.applies_to(state) and s.allowed(user)]


def bulk_steps(user) -> list[Step]:
    """The steps `user` may take on several selected cases at once."""
    return [step for step in STEPS.values() if step.bulk and step.allowed(user)]
