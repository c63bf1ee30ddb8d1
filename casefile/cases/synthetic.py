"""Deterministic synthetic cases for benchmarks and for trying the pages at scale.

`generate(n, seed=…)` writes n published cases with realistic Chinese names
(weighted common surnames, one- or two-character given names), their pinyin,
authorities across the provinces, amounts (mostly yuan), restrictions, a
timeline, English narratives, Chinese stated reasons and citations of
synthetic sources. The same n and seed always give the same content.

Rows go in with PostgreSQL's COPY, in batches. When the database user may
(a superuser, as on the embedded server), triggers are switched off for the
load (session_replication_role = replica, as pg_restore does) and the derived
columns they keep (Case.restriction_kinds) are written directly; otherwise the
statement-level triggers run once per batch. Nothing here is real data.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db import connection, transaction
from django.utils import timezone, translation

from casefile.authorities.models import Authority, Province
from casefile.cases.models import new_public_id
from casefile.cases.vocabularies import (
    AmountKind,
    CaseStatus,
    EventKind,
    ListName,
    OffenceCategory,
    RestrictionKind,
)
from casefile.core.dates import DatePrecision
from casefile.people.name_forms import PersonNames, person_name_fields

BATCH = 25_000
# Content is fixed by the seed; timestamps are spread back from this day, not from today.
EPOCH = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)

# (surname, relative frequency), after published surname statistics.
SURNAMES = [
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 19), ("周", 19), ("徐", 13), ("孙", 13), ("马", 11), ("朱", 11),
    ("胡", 10), ("郭", 10), ("何", 9), ("林", 9), ("高", 9), ("罗", 9), ("郑", 8), ("梁", 7),
    ("谢", 6), ("宋", 5), ("唐", 5), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5),
    ("彭", 4), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4), ("袁", 4), ("潘", 3), ("于", 3),
    ("蒋", 3), ("蔡", 3), ("余", 3), ("杜", 3), ("叶", 3), ("程", 3), ("苏", 3), ("魏", 3),
    ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 2), ("卢", 2), ("姜", 2), ("崔", 2),
    ("钟", 2), ("谭", 2), ("陆", 2), ("汪", 2), ("范", 2), ("金", 2), ("石", 2), ("廖", 2),
    ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 1), ("段", 1),
    ("雷", 1), ("侯", 1), ("龙", 1), ("史", 1), ("陶", 1), ("黎", 1), ("贺", 1), ("顾", 1),
    ("毛", 1), ("郝", 1), ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1), ("覃", 1),
    ("武", 1), ("戴", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("欧阳", 1), ("司马", 1),
]  # fmt: skip
GIVEN_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯健俊帆帅"
    "旭宁龙林欣晨波宏海峰亮成国志新春梅琳燕雪婷慧颖丹莉倩佳晶鑫阳东云小晓思子一嘉家天永金"
    "立德荣福生祥光中兵清雨瑞博昊然轩怡梓涵睿鸿毅"
)
# Weights of the given-name characters: the first ones are far more common.
GIVEN_WEIGHTS = [1 / (rank + 4) for rank in range(len(GIVEN_CHARACTERS))]

# Province → (relative number of cases, docket abbreviation, cities as (English, Chinese)).
PROVINCES = {
    "anhui": (6, "皖", [("Hefei", "合肥"), ("Wuhu", "芜湖")]),
    "beijing": (4, "京", [("Beijing", "北京")]),
    "chongqing": (4, "渝", [("Chongqing", "重庆")]),
    "fujian": (4, "闽", [("Fuzhou", "福州"), ("Xiamen", "厦门")]),
    "gansu": (2, "甘", [("Lanzhou", "兰州")]),
    "guangdong": (11, "粤", [("Guangzhou", "广州"), ("Shenzhen", "深圳"), ("Dongguan", "东莞")]),
    "guangxi": (4, "桂", [("Nanning", "南宁"), ("Liuzhou", "柳州")]),
    "guizhou": (3, "黔", [("Guiyang", "贵阳"), ("Bijie", "毕节")]),
    "hainan": (1, "琼", [("Haikou", "海口")]),
    "hebei": (6, "冀", [("Shijiazhuang", "石家庄"), ("Baoding", "保定")]),
    "heilongjiang": (3, "黑", [("Harbin", "哈尔滨")]),
    "henan": (8, "豫", [("Zhengzhou", "郑州"), ("Luoyang", "洛阳"), ("Nanyang", "南阳")]),
    "hubei": (5, "鄂", [("Wuhan", "武汉"), ("Yichang", "宜昌")]),
    "hunan": (5, "湘", [("Changsha", "长沙"), ("Hengyang", "衡阳")]),
    "inner_mongolia": (2, "蒙", [("Hohhot", "呼和浩特")]),
    "jiangsu": (8, "苏", [("Nanjing", "南京"), ("Suzhou", "苏州"), ("Wuxi", "无锡")]),
    "jiangxi": (4, "赣", [("Nanchang", "南昌"), ("Ganzhou", "赣州")]),
    "jilin": (2, "吉", [("Changchun", "长春")]),
    "liaoning": (4, "辽", [("Shenyang", "沈阳"), ("Dalian", "大连")]),
    "ningxia": (1, "宁", [("Yinchuan", "银川")]),
    "qinghai": (1, "青", [("Xining", "西宁")]),
    "shaanxi": (3, "陕", [("Xi'an", "西安")]),
    "shandong": (9, "鲁", [("Jinan", "济南"), ("Qingdao", "青岛"), ("Linyi", "临沂")]),
    "shanghai": (4, "沪", [("Shanghai", "上海")]),
    "shanxi": (3, "晋", [("Taiyuan", "太原")]),
    "sichuan": (7, "川", [("Chengdu", "成都"), ("Mianyang", "绵阳")]),
    "tianjin": (2, "津", [("Tianjin", "天津")]),
    "tibet": (1, "藏", [("Lhasa", "拉萨")]),
    "xinjiang": (2, "新", [("Urumqi", "乌鲁木齐")]),
    "yunnan": (3, "云", [("Kunming", "昆明"), ("Qujing", "曲靖")]),
    "zhejiang": (8, "浙", [("Hangzhou", "杭州"), ("Ningbo", "宁波"), ("Wenzhou", "温州")]),
}
DISTRICTS = [
    ("Xinhua", "新华"), ("Chengguan", "城关"), ("Jiangbei", "江北"), ("Nanshan", "南山"),
    ("Gulou", "鼓楼"), ("Xishan", "西山"), ("Dongcheng", "东城"), ("Kaifa", "开发"),
]  # fmt: skip

# (key, relative frequency)
LISTS = [
    ("spc_dishonest_debtors", 70), ("restricted_consumption", 20), ("aviation_blacklist", 3),
    ("rail_blacklist", 3), ("local_list", 3), ("other", 1),
]  # fmt: skip
OFFENCES = [
    ("unpaid_debt", 45), ("business_dispute", 15), ("court_costs", 8), ("unpaid_rent", 8),
    ("unpaid_fine", 6), ("theft", 4), ("defamation_speech", 2), ("other", 12),
]  # fmt: skip
STATUSES = [("listed", 65), ("removed", 20), ("unknown", 15)]
# Each kind's chance of being among a case's restrictions.
RESTRICTION_ODDS = {
    "air_travel": 0.55, "high_speed_rail": 0.5, "property_purchase": 0.3, "loans_credit": 0.35,
    "luxury_hotels": 0.2, "private_school_children": 0.08, "public_shaming": 0.05,
    "ringback_tone": 0.02, "travel_abroad": 0.1, "business_registration": 0.08,
    "civil_service_employment": 0.05, "other": 0.03,
}  # fmt: skip
REASONS = [
    ("有履行能力而拒不履行生效法律文书确定义务",
     "Refuses to perform the obligations set by an effective legal document although able to."),
    ("以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
     "Obstructs or resists enforcement by forged evidence, violence or threats."),
    ("以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
     "Evades enforcement by sham litigation or arbitration, or by hiding or moving assets."),
    ("违反财产报告制度", "Violates the system of reporting assets."),
    ("违反限制消费令", "Violates an order restricting consumption."),
    ("无正当理由拒不履行执行和解协议",
     "Refuses without good reason to perform an enforcement settlement agreement."),
]  # fmt: skip
OCCUPATIONS = [
    "factory worker", "farmer", "shop owner", "taxi driver", "teacher", "building contractor",
    "restaurant owner", "businessman", "businesswoman", "delivery rider", "accountant",
    "lawyer", "journalist", "village official", "real-estate agent", "truck driver",
]  # fmt: skip
CREDITORS = [
    "a rural credit cooperative", "a former business partner", "a supplier", "a landlord",
    "a microlender", "a relative", "a state-owned bank", "a construction company",
]  # fmt: skip
DISCOVERIES = [
    "an airline would not sell {them} a ticket",
    "a booking for a high-speed train was refused",
    "a bank turned down {their} mortgage application",
    "a hotel would not accept {their} reservation",
    "colleagues heard a warning message when calling {their} phone",
    "a friend saw {their} entry on the court's website",
    "{their} name and photograph appeared on a screen in the city centre",
    "a travel agency could not book {their} holiday abroad",
]
# Rarer details: each occurs in about one case in a hundred.
DETAILS = [
    "The kindergarten {their} daughter attended asked the family to leave.",
    "A wedding banquet booked at a hotel had to be cancelled.",
    "An application to run a noodle stall was refused at the market office.",
    "{They} said {they} had repaid most of the sum in cash without a receipt.",
    "A cousin lent {them} the money for a bus ticket home at Spring Festival.",
    "The listing was reported by a local television programme on debtors.",
    "{They} had guaranteed a loan for an employer who later disappeared.",
    "A court clerk told {them} the entry would stay until the interest was paid.",
    "{Their} son's application to a police academy was rejected.",
    "The phone company changed {their} ringback tone without asking.",
]
OUTLETS = [
    ("Southern Metropolis Daily", "zh-Hans"), ("The Paper", "zh-Hans"), ("Caixin", "en"),
    ("Xinhua", "zh-Hans"), ("China Court Network", "zh-Hans"), ("Sixth Tone", "en"),
    ("South China Morning Post", "en"), ("Beijing News", "zh-Hans"), ("Radio Free Asia", "en"),
    ("China Daily", "en"),
]  # fmt: skip
FOREIGN_CURRENCIES = ["CAD", "USD", "HKD", "EUR"]


def _choose(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    keys, weights = zip(*weighted, strict=True)
    return rng.choices(keys, weights)[0]


@cache
def _names(name: str) -> PersonNames:
    """The romanised name, keys and spellings of a Chinese name, as Person.save() derives
    them (casefile.people.name_forms)."""
    return person_name_fields(name, "")


LABELS = {
    "offence": dict(OffenceCategory.choices),
    "list": dict(ListName.choices),
    "status": dict(CaseStatus.choices),
    "restriction": dict(RestrictionKind.choices),
    "event": dict(EventKind.choices),
    "amount": dict(AmountKind.choices),
    "province": dict(Province.choices),
}


def _label(vocabulary: str, key: str) -> str | None:
    """The English label, as the database's search text holds it (whatever language is
    active)."""
    label = LABELS[vocabulary].get(key)
    if label is None:
        return None
    with translation.override("en"):
        return str(label)


def _words(*parts: str | None) -> str:
    """PostgreSQL's concat_ws(' ', …): the parts that are not NULL, spaces between."""
    return " ".join(part for part in parts if part is not None)


@dataclass
class Ids:
    """The next id of each table: generated rows are numbered by us, then the
    identity sequences are moved past them."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


TABLES = {
    "authorities_authority": [
        "id", "created_at", "updated_at", "name", "name_original", "kind", "province", "city",
    ],
    "sources_source": [
        "id", "created_at", "updated_at", "kind", "title", "outlet", "authors", "language",
        "published_on", "published_on_precision", "url", "relation", "reliability", "notes",
    ],
    "sources_sourcecapture": [
        "id", "created_at", "updated_at", "source_id", "label", "url", "archive_url",
        "captured_at", "sha256", "notes",
    ],
    "people_person": [
        "id", "created_at", "updated_at", "name_original", "name_romanized", "aliases",
        "pseudonym", "occupation", "privacy", "notes", "name_keys", "name_spellings",
    ],
    "cases_case": [
        "id", "created_at", "updated_at", "public_id", "list_name", "docket_number",
        "reason_original", "reason_en", "offence_category", "status", "listed_on",
        "listed_on_precision", "discovered_on", "discovered_on_precision", "removed_on",
        "removed_on_precision", "notified", "appeal_available", "appeal_attempted", "summary",
        "narrative", "outcome", "publication_state", "published_at", "retracted_at",
        "retraction_note", "restriction_kinds", "authority_id", "person_id", "search_text",
        "first_public_at",
    ],
    "cases_restriction": [
        "id", "created_at", "updated_at", "case_id", "kind", "details", "started_on",
        "started_on_precision", "ended_on", "ended_on_precision",
    ],
    "cases_amount": [
        "id", "created_at", "updated_at", "case_id", "kind", "value", "currency", "as_reported",
        "value_cny", "description",
    ],
    "cases_event": [
        "id", "created_at", "updated_at", "case_id", "occurred_on", "occurred_on_precision",
        "kind", "description",
    ],
    "cases_citation": [
        "id", "created_at", "updated_at", "case_id", "capture_id", "restriction_id", "amount_id",
        "event_id", "case_field", "locator", "quote",
    ],
}  # fmt: skip


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.public_ids: set[str] = set()
        self.ids = Ids()
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
        # What each row contributes to its cases' search text (Case.search_text)
        self.authority_text: dict[int, str] = {}
        self.person_text: dict[int, str | None] = {}
        self.capture_source: dict[int, tuple[str, list[str], str]] = {}
        self.person_public: dict[int, bool] = {}
        # When each case became public, as the trigger of migration cases 0012 stamps it
        # (which does not run in replica mode): when published, unless withheld.
        self.person_shown: dict[int, bool] = {}

    # -- reference rows ---------------------------------------------------------------

    def authorities(self) -> list[tuple[int, str, str, str, str]]:
        """Get or create the synthetic courts: (id, province, city, name, abbreviation);
        their search text by id in self.authority_text."""
        wanted = []
        for province, (_, abbreviation, cities) in PROVINCES.items():
            for city, city_zh in cities:
                wanted.append((province, city, abbreviation, f"{city} Intermediate People's Court",
                               f"{city_zh}市中级人民法院"))  # fmt: skip
                for district, district_zh in DISTRICTS[:5]:
                    wanted.append((province, city, abbreviation,
                                   f"{city} {district} District People's Court",
                                   f"{city_zh}市{district_zh}区人民法院"))  # fmt: skip
        existing = {
            (a.province, a.city, a.name): a.id
            for a in Authority.objects.filter(name__contains="People's Court")
        }
        courts = []
        for province, city, abbreviation, name, name_zh in wanted:
            authority_id = existing.get((province, city, name))
            if authority_id is None:
                authority_id = self.ids.take("authorities_authority")
                self.rows["authorities_authority"].append(
                    (authority_id, self.now, self.now, name, name_zh, "court", province, city)
                )
            courts.append((authority_id, province, city, name, abbreviation))
            self.authority_text[authority_id] = _words(
                name, name_zh, city, province, _label("province", province)
            )
        return courts

    def sources(self, count: int) -> list[int]:
        """Synthetic sources, one or two captures each; returns the capture ids."""
        rng, captures = self.rng, []
        for n in range(count):
            outlet, language = rng.choice(OUTLETS)
            source_id = self.ids.take("sources_source")
            year = rng.randint(2014, 2024)
            published = datetime.date(year, rng.randint(1, 12), 1)
            url = f"https://example.org/synthetic/{source_id}"
            self.rows["sources_source"].append(
                (source_id, self.now, self.now, rng.choice(["news_article", "court_record"]),
                 f"Synthetic report no. {n + 1} on listed debtors", outlet,
                 ["Synthetic Reporter"], language, published, DatePrecision.MONTH, url,
                 "reporter", "unknown", "Synthetic benchmark data.")
            )  # fmt: skip
            for version in range(1 if rng.random() < 0.9 else 2):
                capture_id = self.ids.take("sources_sourcecapture")
                captured = datetime.datetime.combine(published, datetime.time(12), datetime.UTC)
                self.rows["sources_sourcecapture"].append(
                    (capture_id, self.now, self.now, source_id,
                     "as first published" if version == 0 else "revised version", "",
                     "", captured + datetime.timedelta(days=30 * version), "", "")
                )  # fmt: skip
                captures.append(capture_id)
                self.capture_source[capture_id] = (
                    outlet,
                    ["Synthetic Reporter"],
                    f"Synthetic report no. {n + 1} on listed debtors",
                )
        return captures

    # -- one case ---------------------------------------------------------------------

    def public_id(self) -> str:
        while True:
            candidate = new_public_id(self.rng)
            if candidate not in self.public_ids:
                self.public_ids.add(candidate)
                return candidate

    def chinese_name(self) -> str:
        rng = self.rng
        surname = _choose(rng, SURNAMES)
        length = 1 if rng.random() < 0.35 else 2
        return surname + "".join(rng.choices(GIVEN_CHARACTERS, GIVEN_WEIGHTS, k=length))

    def person(self, province: str) -> tuple[int, str]:
        rng = self.rng
        name = self.chinese_name()
        names = _names(name)
        romanised = names.name_romanized
        roll = rng.random()
        privacy = "public" if roll < 0.15 else "withheld" if roll > 0.99 else "pseudonymised"
        gender = rng.choice(["man", "woman"])
        if rng.random() < 0.5:
            initials = " ".join(f"{word[0]}." for word in romanised.split())
            pseudonym = initials
        else:
            pseudonym = f"Unnamed {gender}, {Province(province).english}"
        person_id = self.ids.take("people_person")
        occupation = rng.choice(OCCUPATIONS)
        self.rows["people_person"].append(
            (person_id, self.now, self.now, name, romanised, [], pseudonym,
             occupation, privacy, "", names.name_keys, names.name_spellings)
        )  # fmt: skip
        # As visibility.PERSON_SEARCH_TEXT_SQL says
        self.person_text[person_id] = {
            "public": f"{names.name_spellings}\n{occupation}",
            "withheld": None,
        }.get(privacy, f"{pseudonym}\n{occupation}")
        self.person_public[person_id] = privacy == "public"
        self.person_shown[person_id] = privacy != "withheld"
        return person_id, gender

    def partial_date(self, start_year: int, end_year: int):
        rng = self.rng
        year = rng.randint(start_year, end_year)
        roll = rng.random()
        if roll < 0.5:
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
            return day, DatePrecision.DAY
        if roll < 0.82:
            return datetime.date(year, rng.randint(1, 12), 1), DatePrecision.MONTH
        return datetime.date(year, 1, 1), DatePrecision.YEAR

    def case(self, courts, captures, person_id: int, gender: str) -> None:
        rng, now = self.rng, self.now
        court_id, _, city, court, abbreviation = courts
        they, their = ("he", "his") if gender == "man" else ("she", "her")
        pronouns = {"they": they, "their": their, "them": "him" if they == "he" else "her"}
        pronouns |= {key.capitalize(): value.capitalize() for key, value in pronouns.items()}

        case_id = self.ids.take("cases_case")
        offence = _choose(rng, OFFENCES)
        status = _choose(rng, STATUSES)
        listed_on, listed_precision = (None, "")
        if rng.random() < 0.95:
            listed_on, listed_precision = self.partial_date(2013, 2024)
        removed_on, removed_precision = (None, "")
        if status == "removed" and listed_on:
            removed_on, removed_precision = self.partial_date(listed_on.year + 1, 2025)
        discovered_on, discovered_precision = (None, "")
        if listed_on and rng.random() < 0.3:
            discovered_on, discovered_precision = datetime.date(listed_on.year + 1, 1, 1), "year"
        notified = rng.choices([True, False, None], [10, 45, 45])[0]
        reason_zh, reason_en = rng.choice(REASONS)
        year = listed_on.year if listed_on else 2016
        docket = f"({year}){abbreviation}{rng.randint(100, 9999):04d}执{rng.randint(1, 9999)}号"

        kinds = sorted(kind for kind, odds in RESTRICTION_ODDS.items() if rng.random() < odds)
        occupation = rng.choice(OCCUPATIONS)
        amount = Decimal(max(50, round(rng.lognormvariate(10.2, 1.4), -1)))
        amount = amount.quantize(Decimal("1"))
        foreign = rng.random() < 0.04
        currency = rng.choice(FOREIGN_CURRENCIES) if foreign else "CNY"
        value = (amount / 5).quantize(Decimal("1")) if foreign else amount
        shown = f"{value:,.0f} yuan" if currency == "CNY" else f"{currency} {value:,.0f}"
        creditor = rng.choice(CREDITORS)
        summary = {
            "unpaid_debt": f"Listed after failing to repay {shown} owed to {creditor}.",
            "business_dispute": f"Listed after losing a contract dispute with {creditor} over {shown}.",
            "court_costs": f"Listed for not paying court costs of {shown}.",
            "unpaid_rent": f"Listed over {shown} of unpaid rent owed to {creditor}.",
            "unpaid_fine": f"Listed for failing to pay a fine of {shown}.",
            "theft": f"Listed after a theft of goods worth {shown} and an unpaid penalty.",
            "defamation_speech": f"Listed after a defamation verdict ordered a payment of {shown}.",
            "other": f"Listed by {court} in a case involving {shown}.",
        }[offence]
        discovery = rng.choice(DISCOVERIES).format(**pronouns)
        narrative = (
            f"A {occupation} from {city}, {they} was put on the list by {court}. "
            f"{their.capitalize()} first sign of it came when {discovery}."
        )
        if rng.random() < 0.1:
            narrative += " " + rng.choice(DETAILS).format(**pronouns)
        outcome = "Removed from the list after the sum was paid." if status == "removed" else ""
        published_at = EPOCH - datetime.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        public_id, list_name = self.public_id(), _choose(rng, LISTS)
        capture = rng.choice(captures)
        cite = self.rows["cases_citation"]
        for kind in kinds:
            restriction_id = self.ids.take("cases_restriction")
            self.rows["cases_restriction"].append(
                (restriction_id, now, now, case_id, kind, "", None, "", None, "")
            )
        amount_kind = {"unpaid_fine": "fine", "court_costs": "fee", "theft": "value"}.get(
            offence, "owed"
        )
        amount_id = self.ids.take("cases_amount")
        self.rows["cases_amount"].append(
            (amount_id, now, now, case_id, amount_kind, value, currency, shown,
             None if foreign and rng.random() < 0.5 else amount, "")
        )  # fmt: skip
        cite.append(
            (self.ids.take("cases_citation"), now, now, case_id, capture, None, amount_id, None,
             "", "", "")
        )  # fmt: skip
        if listed_on:
            event_id = self.ids.take("cases_event")
            self.rows["cases_event"].append(
                (event_id, now, now, case_id, listed_on, listed_precision, "listed",
                 f"Listed by {court}.")
            )  # fmt: skip
            cite.append(
                (self.ids.take("cases_citation"), now, now, case_id, capture, None, None,
                 event_id, "", "", "")
            )  # fmt: skip
        cite.append(
            (self.ids.take("cases_citation"), now, now, case_id, capture, None, None, None,
             "summary", "", "")
        )  # fmt: skip
        outlet, authors, title = self.capture_source[capture]
        public = self.person_public[person_id]
        # Case.search_text as the database's function writes it (migration cases 0013):
        # tests/test_generate_cases.py checks that they agree.
        lines = [
            _words(offence, _label("offence", offence)),
            _words(list_name, _label("list", list_name)),
            _words(status, _label("status", status)),
            "\n".join(_words(kind, _label("restriction", kind), "") for kind in kinds) or None,
            self.authority_text[court_id],
            self.person_text[person_id],
            _words(_label("event", "listed"), f"Listed by {court}.") if listed_on else None,
            _words(_label("amount", amount_kind), ""),
            _words(outlet, " ".join(authors), title if public else None),
        ]
        search_text = "\n".join(line for line in lines if line is not None)
        self.rows["cases_case"].append(
            (case_id, now, now, public_id, list_name, docket, reason_zh,
             reason_en, offence, status, listed_on, listed_precision, discovered_on,
             discovered_precision, removed_on, removed_precision, notified, None, None, summary,
             narrative, outcome, "published", published_at, None, "", kinds, court_id,
             person_id, search_text, published_at if self.person_shown[person_id] else None)
        )  # fmt: skip

    # -- writing ----------------------------------------------------------------------

    def flush(self, cursor) -> None:
        for table, columns in TABLES.items():
            rows = self.rows[table]
            if not rows:
                continue
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            rows.clear()


def _next_ids(cursor) -> dict[str, int]:
    ids = {}
    for table in TABLES:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        ids[table] = cursor.fetchone()[0]
    return ids


def _replica_mode(cursor) -> bool:
    """Switch triggers (and the FK checks they implement) off for this transaction, if allowed."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
        return True
    except Exception:
        return False


def wipe() -> None:
    """Delete every case, person, authority and source (the benchmark database only)."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the indexes that back no constraint on the (empty) tables; return their
    definitions. Building an index once after a bulk load is far cheaper than keeping
    it up to date row by row (above all the GIN indexes)."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index AS i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
        """,
        [list(TABLES)],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes]


def generate(n: int, *, seed: int = 2018, progress=None) -> dict:
    """Write n published synthetic cases; return counts of rows written per table."""
    generator = Generator(seed)
    counts = dict.fromkeys(TABLES, 0)
    with transaction.atomic(), connection.cursor() as django_cursor:
        raw = django_cursor.cursor
        generator.ids.next = _next_ids(raw)
        empty = all(next_id == 1 for next_id in generator.ids.next.values())
        rebuild = _drop_secondary_indexes(raw) if empty else []
        _replica_mode(raw)
        generator.public_ids = set()
        courts = generator.authorities()
        court_weights = [PROVINCES[court[1]][0] for court in courts]
        captures = generator.sources(max(50, n // 500))
        for table in ("authorities_authority", "sources_source", "sources_sourcecapture"):
            counts[table] += len(generator.rows[table])
        generator.flush(raw)
        rng = generator.rng
        person = None
        for done in range(n):
            court = rng.choices(courts, court_weights)[0]
            # About one person in twenty has a second case.
            if person is None or rng.random() > 0.05:
                person = generator.person(court[1])
            generator.case(court, captures, *person)
            if (done + 1) % BATCH == 0 or done + 1 == n:
                for table in TABLES:
                    counts[table] += len(generator.rows[table])
                generator.flush(raw)
                if progress:
                    progress(done + 1)
        # The facet counters (migration cases 0014), recounted: their triggers do not run
        # in replica mode.
        raw.execute("SELECT casefile_rebuild_facet_rollup()")
        # And the statistics' (migration stats 0001), for the same reason.
        raw.execute("SELECT casefile_rebuild_stats_rollup()")
        if rebuild:
            raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in rebuild:
                raw.execute(definition)
        for table in TABLES:
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    return counts


def vacuum_analyze() -> None:
    """Fresh statistics and visibility maps (index-only scans) after a bulk load."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
