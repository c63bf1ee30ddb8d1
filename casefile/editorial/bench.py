"""A deterministic spreadsheet of fictitious cases, for the import benchmark: format version
2 with every optional column filled (but person_id, which would name rows of one database).

The same seed and row count always give the same bytes. Names are drawn from common
surnames and given-name characters, so they repeat as real names do (and match people of
the synthetic archive: the benchmark imports creating new people).
"""

import csv
import io
import random

from casefile.authorities.models import Province
from casefile.cases.vocabularies import AmountKind, ListName, OffenceCategory, RestrictionKind
from casefile.editorial.importer import COLUMNS
from casefile.people.romanization import romanize_name

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉力波宁斌海燕红云峰鹏飞玲玉兰"
OUTLETS = ["The Globe and Mail", "Caixin", "Xinhua", "Sixth Tone", "Reuters", "China Daily"]
CURRENCIES = ["CNY", "CNY", "CNY", "CAD", "USD"]
CURRENCY_WORDS = {"CNY": "¥", "CAD": "C$", "USD": "US$"}
SUMMARIES = [
    "Listed after a court ordered repayment of a business loan; barred from flights.",
    "A teacher blacklisted over an unpaid fine, who learned of it at a railway station.",
    "A shop owner listed over rent arrears; the listing ended after payment.",
    "A journalist listed after a defamation verdict and unable to book travel.",
]
QUOTES = [
    "was told he was not qualified to fly",
    "列入失信被执行人名单",
    "could not buy a ticket",
    "",
]


def generate_rows(count: int, *, seed: int = 2018, outcome: str = "", prefix: str = "bench"):
    rng = random.Random(seed)
    provinces = list(Province)
    restriction_keys = RestrictionKind.values
    for n in range(count):
        province = rng.choice(provinces)
        named = rng.random() < 0.8
        name = (
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            if named
            else ""
        )
        listed = rng.randint(2013, 2019)
        removed = listed + rng.randint(0, 3) if rng.random() < 0.3 else ""
        source = rng.randrange(2000)
        version = rng.randrange(2)  # two captures of each source: first read, then revised
        romanized = romanize_name(name) if name else ""
        amount = f"{rng.randint(50, 2_000_000)}.{rng.randint(0, 99):02d}"
        currency = rng.choice(CURRENCIES)
        qualifier = rng.choice(("about ", "more than ", "at least ", ""))
        yield {
            "case_key": f"{prefix}-{n:06d}",
            # Half the names as the English-language press prints them, with the
            # characters in person_name_original; half in characters only.
            "person_name": romanized if named and n % 2 else name,
            "person_name_original": name if named and n % 2 else "",
            "person_aliases": f"{romanized.split()[-1]} {romanized.split()[0]}"
            if named and rng.random() < 0.2
            else "",
            "person_name_romanized": "",
            "occupation": rng.choice(["", "", "teacher", "farmer", "journalist", "trader"]),
            "public_figure": "yes" if named and rng.random() < 0.05 else "no",
            "province": province.english if rng.random() < 0.5 else province.chinese,
            "city": "",
            "authority": f"{province.english} People's Court no. {rng.randint(1, 40)}",
            "list_name": rng.choice(ListName.values),
            "reason": "有履行能力而拒不履行生效法律文书确定义务"
            if rng.random() < 0.5
            else "Refuses to perform although able to.",
            "offence_category": rng.choice(OffenceCategory.values),
            "amount": amount,
            "currency": currency,
            "listed_year": listed,
            "discovered_year": listed + rng.randint(0, 1) if rng.random() < 0.5 else "",
            "removed_year": removed,
            "restrictions": ";".join(rng.sample(restriction_keys, k=rng.randint(1, 3))),
            "summary": rng.choice(SUMMARIES),
            "amount_kind": rng.choice(AmountKind.values),
            "amount_as_reported": f"{qualifier}{CURRENCY_WORDS[currency]}{amount}",
            "outcome": outcome,
            "source_outlet": OUTLETS[source % len(OUTLETS)],
            # One source in ten has no usable title: it is known by its address.
            "source_title": f"Report {source} on the blacklist" if source % 10 else "",
            "source_author": "",
            "source_date": f"{rng.randint(2014, 2020)}-{rng.randint(1, 12):02d}",
            "source_url": f"https://news.example.org/reports/{source}",
            "source_language": "zh" if source % 3 == 0 else "en",
            "source_captured": f"2020-{1 + source % 12:02d}-{1 + version * 14:02d}T08:00",
            "archive_url": f"https://web.archive.org/web/2020/news.example.org/{source}/{version}",
            "quote": rng.choice(QUOTES),
            "notes": "",
        }


def generate_csv(
    count: int, *, seed: int = 2018, outcome: str = "", prefix: str = "bench"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(generate_rows(count, seed=seed, outcome=outcome, prefix=prefix))
    return buffer.getvalue().encode("utf-8")
