"""A deterministic spreadsheet of fictitious cases, for the import benchmark.

The same seed and row count always give the same bytes. Names are drawn from common
surnames and given-name characters, so they repeat as real names do.
"""

import csv
import io
import random

from casefile.authorities.models import Province
from casefile.cases.vocabularies import ListName, OffenceCategory, RestrictionKind
from casefile.editorial.importer import COLUMNS

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉力波宁斌海燕红云峰鹏飞玲玉兰"
OUTLETS = ["The Globe and Mail", "Caixin", "Xinhua", "Sixth Tone", "Reuters", "China Daily"]
CURRENCIES = ["CNY", "CNY", "CNY", "CAD", "USD"]


def generate_rows(count: int, *, seed: int = 2018, outcome: str = ""):
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
        yield {
            "case_key": f"bench-{n:06d}",
            "person_name": name,
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
            "amount": f"{rng.randint(50, 2_000_000)}.{rng.randint(0, 99):02d}",
            "currency": rng.choice(CURRENCIES),
            "listed_year": listed,
            "discovered_year": listed + rng.randint(0, 1) if rng.random() < 0.5 else "",
            "removed_year": removed,
            "restrictions": ";".join(rng.sample(restriction_keys, k=rng.randint(1, 3))),
            "outcome": outcome,
            "source_outlet": OUTLETS[source % len(OUTLETS)],
            "source_title": f"Report {source} on the blacklist",
            "source_author": "",
            "source_date": f"{rng.randint(2014, 2020)}-{rng.randint(1, 12):02d}",
            "source_url": f"https://news.example.org/reports/{source}",
            "notes": "",
        }


def generate_csv(count: int, *, seed: int = 2018, outcome: str = "") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(generate_rows(count, seed=seed, outcome=outcome))
    return buffer.getvalue().encode("utf-8")
