"""A small deterministic generator of published cases, for the API benchmark only.

The researchers' pages branch brings `manage.py generate_cases N`; once merged, the
benchmark can call that instead (bench_api --generator). Kept minimal on purpose.
"""

import datetime
import random

import pgtrigger
from django.db import transaction
from django.utils import timezone

from casefile.authorities.models import Authority, Province
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.vocabularies import (
    AmountKind,
    CaseStatus,
    CitedField,
    EventKind,
    ListName,
    OffenceCategory,
    RestrictionKind,
)
from casefile.people.models import Person
from casefile.people.romanization import romanize_name
from casefile.sources.models import Source, SourceCapture

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志"
WORDS = [
    "court",
    "debt",
    "rent",
    "fine",
    "loan",
    "train",
    "flight",
    "hotel",
    "property",
    "school",
    "verdict",
    "apology",
    "company",
    "bank",
    "salary",
    "contract",
    "notice",
    "list",
    "appeal",
    "blogger",
    "journalist",
    "shop",
    "cigarettes",
]
BATCH = 5000


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _partial(rng: random.Random, start: int, end: int):
    year = rng.randint(start, end)
    precision = rng.choice(["year", "month", "day"])
    if precision == "year":
        return datetime.date(year, 1, 1), precision
    month = rng.randint(1, 12)
    if precision == "month":
        return datetime.date(year, month, 1), precision
    return datetime.date(year, month, rng.randint(1, 28)), precision


# Triggers that keep a case's derived columns right as its parts change: the generator
# writes those columns itself, so a batch does not rewrite every case four more times.
DERIVED_COLUMN_TRIGGERS = (
    "cases.Restriction:case_restriction_kinds_ins",
    "cases.Amount:touch_case_amount_ins",
    "cases.Event:touch_case_event_ins",
    "cases.Citation:touch_case_citation_ins",
)


def generate(count: int, *, seed: int = 2018, published_share: float = 0.95) -> int:
    """Add `count` cases (with people, parts and citations) deterministically,
    committing every BATCH cases."""
    rng = random.Random(seed + Case.objects.count())
    authorities = list(Authority.objects.all()[:300])
    if not authorities:
        authorities = Authority.objects.bulk_create(
            Authority(
                name=f"People's Court no. {n}",
                province=rng.choice(Province.values),
                city=f"City {n % 90}",
            )
            for n in range(300)
        )
    captures = list(SourceCapture.objects.all()[:2000])
    if not captures:
        sources = Source.objects.bulk_create(
            Source(
                kind="news_article",
                title=_sentence(rng, 6),
                outlet=f"Outlet {n % 40}",
                authors=[f"Reporter {n % 97}"],
                url=f"https://news.example.org/{n}",
            )
            for n in range(1000)
        )
        now = timezone.now()
        captures = SourceCapture.objects.bulk_create(
            SourceCapture(
                source=source,
                captured_at=now - datetime.timedelta(days=n),
                archive_url=f"https://archive.example.org/{n}",
            )
            for n, source in enumerate(sources)
        )
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with transaction.atomic(), pgtrigger.ignore(*DERIVED_COLUMN_TRIGGERS):
            _batch(rng, size, authorities, captures, published_share)
        made += size
    return made


def _batch(rng, size, authorities, captures, published_share):
    """One batch of people, cases, parts and citations."""
    people = []
    for _ in range(size):
        roll = rng.random()
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        person = Person(
            name_original=name,
            privacy="withheld" if roll < 0.01 else "pseudonymised" if roll < 0.6 else "public",
            pseudonym=f"Unnamed person {rng.randint(1, 999)}",
            occupation=rng.choice(["", "Teacher", "Farmer", "Journalist", "Trader"]),
        )
        people.append(person)
    for person in people:  # what Person.save() derives, without a query per row
        person.name_romanized = romanize_name(person.name_original)
        person.name_keys = person.compute_name_keys()
    people = Person.objects.bulk_create(people)
    cases = []
    for person in people:
        listed, precision = _partial(rng, 2012, 2024)
        state = (
            "published"
            if rng.random() < published_share
            else rng.choice(["draft", "in_review", "retracted"])
        )
        cases.append(
            Case(
                person=person,
                list_name=rng.choice(ListName.values),
                authority=rng.choice(authorities) if rng.random() < 0.8 else None,
                offence_category=rng.choice(OffenceCategory.values),
                status=rng.choice(CaseStatus.values),
                listed_on=listed if rng.random() < 0.9 else None,
                listed_on_precision=precision,
                notified=rng.choice([True, False, None]),
                summary=_sentence(rng, 18),
                narrative=_sentence(rng, 60),
                publication_state=state,
                published_at=timezone.now() if state == "published" else None,
            )
        )
        if cases[-1].listed_on is None:
            cases[-1].listed_on_precision = ""
    kinds = [sorted(rng.sample(RestrictionKind.values, rng.randint(0, 3))) for _ in cases]
    for case, case_kinds in zip(cases, kinds, strict=True):
        case.restriction_kinds = case_kinds
    cases = Case.objects.bulk_create(cases)
    restrictions, amounts, events = [], [], []
    for case, case_kinds in zip(cases, kinds, strict=True):
        for kind in case_kinds:
            restrictions.append(Restriction(case=case, kind=kind, details=_sentence(rng, 5)))
        for _ in range(rng.randint(1, 2)):
            amounts.append(
                Amount(
                    case=case,
                    kind=rng.choice(AmountKind.values),
                    value=rng.randint(50, 500_000),
                    currency=rng.choice(["CNY", "CNY", "CAD", "USD"]),
                )
            )
        for _ in range(rng.randint(1, 3)):
            day, precision = _partial(rng, 2012, 2024)
            events.append(
                Event(
                    case=case,
                    occurred_on=day,
                    occurred_on_precision=precision,
                    kind=rng.choice(EventKind.values),
                    description=_sentence(rng, 8),
                )
            )
    Restriction.objects.bulk_create(restrictions, batch_size=BATCH)
    Amount.objects.bulk_create(amounts, batch_size=BATCH)
    Event.objects.bulk_create(events, batch_size=BATCH)
    first_amount = {}
    for amount in amounts:
        first_amount.setdefault(amount.case_id, amount)
    citations = []
    for case in cases:
        capture = rng.choice(captures)
        citations.append(
            Citation(case=case, capture=capture, case_field=rng.choice(CitedField.values))
        )
        citations.append(
            Citation(
                case=case,
                capture=capture,
                amount=first_amount[case.pk],
                quote=_sentence(rng, 6),
            )
        )
    Citation.objects.bulk_create(citations, batch_size=BATCH)
