"""What a refused cell probably meant, when that is clear: RMB, yuan, 元 or 人民币 are CNY;
US$ is USD; debt_default is unpaid_debt; "3.6 million" is 3600000. A suggestion is only
offered, never applied: the editor corrects the file.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal, InvalidOperation

from casefile.authorities.models import Province
from casefile.core.currencies import CURRENCIES

# Ways sources and editors write a currency, folded (lower case, no spaces or dots).
CURRENCY_WORDS = {
    **dict.fromkeys(
        ["rmb", "yuan", "元", "人民币", "人民币元", "renminbi", "yuanrenminbi", "rmb元", "块",
         "kuai", "¥", "￥", "cny¥", "rmb¥", "chineseyuan", "yuans"],
        "CNY",
    ),
    **dict.fromkeys(
        ["us$", "usd$", "$us", "us", "usdollar", "usdollars", "美元", "美金", "dollarsus"],
        "USD",
    ),
    **dict.fromkeys(
        ["c$", "ca$", "cad$", "can$", "canadiandollar", "canadiandollars", "加元", "加币"], "CAD"
    ),
    **dict.fromkeys(["hk$", "hkd$", "港币", "港元", "hongkongdollar", "hongkongdollars"], "HKD"),
    **dict.fromkeys(["nt$", "ntd", "新台币", "台币", "taiwandollar", "newtaiwandollar"], "TWD"),
    **dict.fromkeys(["a$", "au$", "aud$", "australiandollar", "australiandollars", "澳元"], "AUD"),
    **dict.fromkeys(["€", "euro", "euros", "欧元"], "EUR"),
    **dict.fromkeys(["£", "pound", "pounds", "sterling", "英镑"], "GBP"),
    **dict.fromkeys(["s$", "sgd$", "新加坡元", "新币"], "SGD"),
}  # fmt: skip
CURRENCY_NAMES = {name.lower().replace(" ", ""): code for code, name in CURRENCIES.items()}

# Words for vocabulary keys that are not close in spelling.
SYNONYMS = {
    "offence_category": {
        "unpaid_debt": [
            "debt",
            "debts",
            "debt_default",
            "default",
            "loan_default",
            "owed",
            "unpaid_loan",
            "judgment_debt",
            "欠款",
            "债务",
        ],
        "defamation_speech": [
            "defamation",
            "libel",
            "slander",
            "speech",
            "rumour",
            "rumor",
            "rumours",
            "诽谤",
        ],
        "unpaid_rent": ["rent", "rent_arrears"],
        "unpaid_fine": ["fine", "fines", "penalty"],
        "court_costs": ["costs", "court_fees", "legal_costs"],
        "theft": ["shoplifting", "stealing", "larceny", "盗窃"],
        "business_dispute": ["contract_dispute", "commercial_dispute", "business"],
    },
    "restrictions": {
        "air_travel": ["flights", "flight", "flying", "planes", "air", "airline", "aviation"],
        "high_speed_rail": [
            "trains",
            "train",
            "rail",
            "high_speed_trains",
            "hsr",
            "gaotie",
            "高铁",
        ],
        "property_purchase": ["property", "real_estate", "housing", "house", "buying_property"],
        "loans_credit": ["loans", "loan", "credit", "bank_loans", "borrowing"],
        "luxury_hotels": ["hotels", "hotel", "star_hotels"],
        "private_school_children": ["schools", "school", "private_school", "children_school"],
        "public_shaming": ["shaming", "name_and_shame"],
        "ringback_tone": ["ringback", "ring_tone", "ringtone"],
        "travel_abroad": ["exit_ban", "leaving_china", "foreign_travel"],
        "business_registration": ["business", "company_registration"],
        "civil_service_employment": ["civil_service", "government_job"],
    },
    "list_name": {
        "spc_dishonest_debtors": [
            "dishonest_debtors",
            "dishonest_persons",
            "spc",
            "laolai",
            "失信被执行人",
            "失信被执行人名单",
            "court_blacklist",
        ],
        "restricted_consumption": ["限制消费", "consumption"],
        "aviation_blacklist": ["no_fly", "no_fly_list", "airline_blacklist"],
        "rail_blacklist": ["train_blacklist", "railway_blacklist"],
    },
    "amount_kind": {
        "owed": ["debt", "owe", "owing", "unpaid", "judgment"],
        "fine": ["penalty", "fines"],
        "fee": ["fees", "cost", "costs", "court_fee", "court_costs"],
        "paid": ["payment", "repaid", "repayment"],
        "damages": ["compensation"],
        "value": ["worth", "goods"],
    },
}
LANGUAGE_WORDS = {
    "chinese": "zh", "中文": "zh", "mandarin": "zh", "汉语": "zh", "zh_cn": "zh-CN",
    "simplifiedchinese": "zh-Hans", "简体中文": "zh-Hans", "traditionalchinese": "zh-Hant",
    "繁體中文": "zh-Hant", "繁体中文": "zh-Hant", "english": "en", "英文": "en", "cantonese": "yue",
    "粤语": "yue", "french": "fr", "german": "de", "japanese": "ja", "korean": "ko",
    "spanish": "es", "russian": "ru", "uyghur": "ug", "tibetan": "bo",
}  # fmt: skip
SCALES = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6, "mio": 10**6,
    "billion": 10**9, "bn": 10**9, "b": 10**9, "万": 10**4, "萬": 10**4, "亿": 10**8,
    "億": 10**8, "千": 10**3,
}  # fmt: skip
NUMBER_WITH_SCALE = re.compile(
    r"(\d[\d,\s]*(?:\.\d+)?)\s*(thousand|million|billion|mio|mn|bn|k|m|b|万|萬|亿|億|千)?(?![a-z])",
    re.IGNORECASE,
)


def _fold(value: str) -> str:
    return re.sub(r"[\s.]", "", value.strip().lower())


def currency(value: str) -> str:
    """The ISO 4217 code a written currency stands for, or ""."""
    folded = _fold(value)
    return CURRENCY_WORDS.get(folded) or CURRENCY_NAMES.get(folded, "")


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[\s_\-/,;()]+", text.lower()) if len(word) >= 3}


def vocabulary_key(column: str, value: str, vocabulary: dict[str, str]) -> str:
    """The key of `vocabulary` (key → label) that `value` most likely meant, or ""."""
    folded = re.sub(r"[\s\-]+", "_", value.strip().lower())
    if folded in vocabulary:
        return folded
    for key, label in vocabulary.items():
        if value.strip().lower() in (label.lower(), label.lower().split(" (")[0]):
            return key
    for key, words in SYNONYMS.get(column, {}).items():
        if folded in words and key in vocabulary:
            return key
    close = difflib.get_close_matches(folded, list(vocabulary), n=1, cutoff=0.75)
    if close:
        return close[0]
    # One key sharing a word with the value: "debt_default" → unpaid_debt.
    given = _words(folded) - {"other", "list"}
    sharing = [
        key
        for key, label in vocabulary.items()
        if given & ((_words(key) | _words(label)) - {"other", "list"})
    ]
    return sharing[0] if len(sharing) == 1 else ""


def plain_number(value: str) -> str:
    """A figure as a plain number, when the cell holds one written otherwise: "3.6 million"
    → 3600000, "$1,330" → 1330, "more than 470 million yuan ($71 million)" → 470000000
    (the first figure); "" when it cannot be read as one (a formula, a range)."""
    if re.search(r"[=+*/]|\d\s*-\s*\d", value):
        return ""  # a formula or a range: not one figure
    found = NUMBER_WITH_SCALE.findall(value.replace("，", ","))
    if not found:
        return ""
    digits, scale = found[0]
    digits = re.sub(r"[\s,]", "", digits)
    try:
        number = Decimal(digits) * SCALES.get(scale.lower(), 1)
    except InvalidOperation:
        return ""
    if number < 0 or number != number.quantize(Decimal("0.01")):
        return ""
    text = format(number.normalize(), "f")
    return text if text != value.strip() else ""


def year(value: str) -> str:
    """The year of "2017-03", "March 2017", "2017年", or ""."""
    found = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", value)
    return found[0] if len(found) == 1 else ""


def province(value: str) -> str:
    """The English name of the province `value` probably means ("Hubei Province",
    "Hupei", "湖北省"), or ""."""
    stripped = re.sub(
        r"\b(province|municipality|autonomous region|sar|city|shi|sheng)\b|[省市]",
        "",
        value,
        flags=re.IGNORECASE,
    ).strip()
    found = Province.lookup(stripped) if stripped and stripped != value.strip() else None
    if found is not None:
        return found.english
    names = {p.english.lower(): p.english for p in Province}
    close = difflib.get_close_matches(value.strip().lower(), list(names), n=1, cutoff=0.7)
    return names[close[0]] if close else ""


def language(value: str) -> str:
    """The BCP 47 tag of a language named in words ("Chinese" → zh), or ""."""
    folded = re.sub(r"[\s\-]+", "", value.strip().lower()).replace("-", "")
    return LANGUAGE_WORDS.get(folded) or LANGUAGE_WORDS.get(value.strip().lower(), "")
