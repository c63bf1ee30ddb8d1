"""Every form of a personal name that a researcher may hold, computed in one place.

    >>> forms = name_forms("刘虎")
    >>> forms.characters                       # as written, simplified, traditional
    ('刘虎', '劉虎')
    >>> forms.pinyin, forms.pinyin_marks, forms.pinyin_numbers
    ('Liu Hu', 'Liú Hǔ', 'Liu2 Hu3')
    >>> forms.wade_giles, forms.jyutping, forms.cantonese
    ('Liu Hu', 'lau4 fu2', ('Lau Fu',))
    >>> sorted(forms.latin_keys)[:4]
    ['fulau', 'hu3liu2', 'huliu', 'laufu']

A name in Chinese characters is read as surname + given name (compound surnames such
as 欧阳 included). Its forms:

- characters: as written, simplified and traditional (OpenCC, the maintained reference
  converter; the surname converted on its own, since OpenCC reads 于, 余, 范… as the
  common words 於, 餘, 範 that are never surnames);
- Hanyu Pinyin without tones ("Liu Hu", the romanised name), with tone marks ("Liú Hǔ")
  and with tone numbers ("Liu2 Hu3"); surnames with a reading of their own take it
  (曾 zēng, 单 shàn, casefile.people.romanization);
- Wade-Giles ("Chang Hsüeh-liang"), from pypinyin's style, corrected where it errs;
- the Cantonese reading in Jyutping ("lau4 fu2", ToJyutping: the Cantonese
  Computational Linguistics Infrastructure workgroup's package, from the rime-cantonese
  lexicon; 5 µs a name, simplified input accepted) and the Hong Kong spellings
  ("Lau Fu", "Chan Pei Wa"): the surname as Hong Kong writes it (Chan for 陈, Wong for
  黄, Cheung for 张, from a table of common surnames), the given name after the Hong Kong
  government's romanisation of its Jyutping.

Each Latin-script form is also given in the other order (given name first). A name in
Latin script is kept as written; when its words are Hanyu Pinyin ("Xie Wen"), its
Wade-Giles form ("Hsieh Wen") is added (its characters, and so its Cantonese reading,
are unknown).

latin_keys are the forms reduced to lower-case letters and digits ("liuhu", "huliu",
"liu2hu3", "laufu", "hsiehwen"): what Person.name_keys holds and what a typed query is
reduced to (casefile.core.text.latin_key). This module knows nothing of privacy: the
callers decide whose names are searched (casefile.cases.visibility).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.contrib.tone_convert import to_normal, to_tone
from pypinyin.style.wadegiles import to_wade_glides

from casefile.core.text import cjk_runs, has_cjk, latin_key
from casefile.people.romanization import (
    COMPOUND_SURNAMES,
    SURNAME_READINGS,
    romanize_name,
)

# Surnames OpenCC would turn into another word's character (于 → 於, 余 → 餘, 范 → 範…):
# their traditional forms as surnames. 肖 is also written 蕭 by the same families.
TRADITIONAL_SURNAMES = {
    "于": ("于",), "余": ("余",), "范": ("范",), "党": ("党",), "谷": ("谷",),
    "干": ("干",), "丑": ("丑",), "肖": ("肖", "蕭"), "闫": ("閆", "閻"), "郁": ("郁",),
    "沈": ("沈",), "姜": ("姜",), "卜": ("卜",), "朴": ("朴",), "适": ("适",),
}  # fmt: skip

# Cantonese readings of surnames that differ from the characters' commonest reading.
SURNAME_JYUTPING = {
    "曾": "zang1", "單": "sin6", "单": "sin6", "解": "haai5", "仇": "kau4", "區": "au1",
    "区": "au1", "查": "caa4", "樂": "lok6", "乐": "lok6", "覃": "tam4", "繆": "miu6",
    "缪": "miu6", "翟": "zaak6", "朴": "paau4", "蓋": "koi3", "盖": "koi3",
}  # fmt: skip

# Common surnames as Hong Kong spells them (government romanisation as used on identity
# cards), keyed by the traditional form; the first spelling is the commonest.
HONG_KONG_SURNAMES = {
    "陳": ("Chan",), "林": ("Lam",), "黃": ("Wong",), "張": ("Cheung",), "李": ("Lee", "Li"),
    "王": ("Wong",), "吳": ("Ng",), "劉": ("Lau",), "蔡": ("Choi", "Tsoi"), "楊": ("Yeung",),
    "許": ("Hui",), "鄭": ("Cheng",), "謝": ("Tse",), "郭": ("Kwok",), "洪": ("Hung",),
    "曾": ("Tsang",), "邱": ("Yau",), "廖": ("Liu",), "賴": ("Lai",), "周": ("Chow", "Chau"),
    "徐": ("Tsui", "Chui"), "蘇": ("So",), "葉": ("Yip",), "莊": ("Chong",), "呂": ("Lui", "Lu"),
    "江": ("Kong",), "何": ("Ho",), "蕭": ("Siu",), "肖": ("Siu",), "羅": ("Law", "Lo"),
    "高": ("Ko",), "潘": ("Poon",), "簡": ("Kan",), "朱": ("Chu",), "鍾": ("Chung",),
    "鐘": ("Chung",), "彭": ("Pang",), "游": ("Yau",), "詹": ("Chim",), "胡": ("Wu", "Woo"),
    "施": ("Sze",), "沈": ("Shum", "Sham"), "余": ("Yu", "Yue"), "趙": ("Chiu",),
    "盧": ("Lo", "Lou"), "梁": ("Leung",), "顏": ("Ngan",), "柯": ("Or", "O"),
    "孫": ("Suen", "Sun"), "魏": ("Ngai",), "翁": ("Yung",), "戴": ("Tai",), "范": ("Fan",),
    "宋": ("Sung",), "方": ("Fong",), "鄧": ("Tang",), "杜": ("To",), "傅": ("Fu",),
    "侯": ("Hau",), "曹": ("Tso", "Cho"), "溫": ("Wan",), "薛": ("Sit",), "丁": ("Ting",),
    "馬": ("Ma",), "蔣": ("Tseung", "Cheung"), "唐": ("Tong",), "卓": ("Cheuk",),
    "藍": ("Lam",), "馮": ("Fung",), "姚": ("Yiu",), "石": ("Shek",), "董": ("Tung",),
    "紀": ("Kei",), "歐": ("Au",), "程": ("Ching",), "連": ("Lin",), "古": ("Koo", "Ku"),
    "汪": ("Wong",), "湯": ("Tong",), "姜": ("Keung",), "田": ("Tin",), "康": ("Hong",),
    "鄒": ("Chau",), "白": ("Pak",), "涂": ("To",), "尤": ("Yau",), "巫": ("Mo",),
    "韓": ("Hon",), "龔": ("Kung",), "嚴": ("Yim",), "袁": ("Yuen",), "黎": ("Lai",),
    "金": ("Kam",), "阮": ("Yuen",), "陸": ("Luk",), "倪": ("Ngai",), "夏": ("Ha",),
    "童": ("Tung",), "孔": ("Hung",), "麥": ("Mak",), "文": ("Man",), "伍": ("Ng",),
    "區": ("Au",), "譚": ("Tam",), "關": ("Kwan",), "鄺": ("Kwong",), "甘": ("Kam",),
    "岑": ("Shum", "Sham"), "霍": ("Fok",), "容": ("Yung",), "冼": ("Sin",), "殷": ("Yan",),
    "崔": ("Tsui", "Chui"), "雷": ("Lui",), "賀": ("Ho",), "邵": ("Shiu",), "毛": ("Mo",),
    "萬": ("Man",), "錢": ("Chin",), "莫": ("Mok",), "向": ("Heung",), "尹": ("Wan",),
    "段": ("Tuen",), "閻": ("Yim",), "閆": ("Yim",), "龍": ("Lung",), "史": ("Sze",),
    "陶": ("To",), "顧": ("Koo",), "郝": ("Kok",), "武": ("Mo",), "覃": ("Tam",),
    "秦": ("Chun",), "熊": ("Hung",), "韋": ("Wai",), "付": ("Fu",), "任": ("Yam",),
    "于": ("Yu",), "賈": ("Ka",), "單": ("Shin",), "翟": ("Chak",), "聶": ("Nip",),
    "鮑": ("Pau",), "畢": ("Pat",), "丘": ("Yau",), "湛": ("Cham",), "包": ("Pau",),
    "苗": ("Miu",), "魯": ("Lo",), "祁": ("Kei",), "易": ("Yik",), "邢": ("Ying",),
    "歐陽": ("Au Yeung", "Auyeung"), "司馬": ("Sze Ma", "Szema"), "諸葛": ("Chu Kot",),
    "上官": ("Sheung Kwun",), "司徒": ("Szeto", "Sze To"), "東方": ("Tung Fong",),
    "公孫": ("Kung Suen",), "慕容": ("Mo Yung",), "皇甫": ("Wong Po",), "夏侯": ("Ha Hau",),
    "令狐": ("Ling Wu",), "端木": ("Tuen Muk",), "鍾離": ("Chung Lei",),
}  # fmt: skip

# pypinyin's WADEGILES style (0.55) sends these syllables through its final table, which
# turns -ai into -ei and huo into ho: their Wade-Giles spellings, as its own table has.
WADE_GILES_FIXES = {
    "ai": "ai", "hai": "hai", "lai": "lai", "mai": "mai", "nai": "nai", "sai": "sai",
    "shai": "shai", "wai": "wai", "huo": "huo", "shuo": "shuo",
}  # fmt: skip

# Jyutping → Hong Kong government romanisation, by initial and by final. Several
# spellings where Hong Kong uses several (z/c as ch or ts).
HK_INITIALS = {
    "b": ("p",), "p": ("p",), "m": ("m",), "f": ("f",), "d": ("t",), "t": ("t",),
    "n": ("n",), "l": ("l",), "g": ("k",), "k": ("k",), "ng": ("ng",), "h": ("h",),
    "gw": ("kw",), "kw": ("kw",), "w": ("w",), "z": ("ch", "ts"), "c": ("ch", "ts"),
    "s": ("s",), "j": ("y",), "": ("",),
}  # fmt: skip
HK_FINALS = {
    "aa": "a", "aai": "ai", "aau": "au", "aam": "am", "aan": "an", "aang": "ang",
    "aap": "ap", "aat": "at", "aak": "ak", "ai": "ai", "au": "au", "am": "am", "an": "an",
    "ang": "ang", "ap": "ap", "at": "at", "ak": "ak", "e": "e", "ei": "ei", "eng": "eng",
    "ek": "ek", "i": "i", "iu": "iu", "im": "im", "in": "in", "ing": "ing", "ip": "ip",
    "it": "it", "ik": "ik", "o": "o", "oi": "oi", "ou": "o", "on": "on", "ong": "ong",
    "ot": "ot", "ok": "ok", "u": "u", "ui": "ui", "un": "oon", "ung": "ung", "ut": "ut",
    "uk": "uk", "oe": "oe", "oeng": "eung", "oek": "euk", "eoi": "ui", "eon": "un",
    "eot": "ut", "yu": "u", "yun": "uen", "yut": "uet", "m": "m", "ng": "ng",
}  # fmt: skip
# Whole syllables Hong Kong spells apart from the rules above.
HK_SYLLABLES = {
    "si": ("sze", "si"), "zi": ("tsz", "chi"), "ci": ("tsz", "chi"), "ze": ("tse", "che"),
    "ce": ("tse", "che"), "jyu": ("yu", "yue"), "syu": ("shu", "sue"), "jan": ("yan",),
    "jat": ("yat",), "jau": ("yau",), "jip": ("yip",), "jik": ("yik",), "jing": ("ying",),
    "ji": ("yi", "yee"), "m": ("m",), "ng": ("ng",),
}  # fmt: skip
JYUTPING_SYLLABLE = re.compile(r"^(gw|kw|ng|[bpmfdtnlgkhwzcsj]?)([a-z]+?)([1-6]?)$")
# At most this many Hong Kong spellings of one name (each syllable may have two).
MAX_CANTONESE_SPELLINGS = 8
TONE_DIGITS = re.compile(r"(?<=[a-z])[1-5]")


@dataclass(frozen=True)
class NameForms:
    """The forms of one name. Empty strings and tuples where a form does not apply."""

    name: str
    characters: tuple[str, ...] = ()
    pinyin: str = ""
    pinyin_marks: str = ""
    pinyin_numbers: str = ""
    wade_giles: str = ""
    jyutping: str = ""
    cantonese: tuple[str, ...] = ()
    # (surname, given name) of each Latin-script form, for the other order
    _parts: tuple[tuple[str, str], ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every Latin-script form, surname first then given name first, as written."""
        seen: dict[str, None] = {}
        for surname, given in self._parts:
            for form in (f"{surname} {given}", f"{given} {surname}"):
                form = form.strip()
                if form:
                    seen.setdefault(form, None)
        return tuple(seen)

    @property
    def latin_keys(self) -> frozenset[str]:
        """The spellings as search keys: lower-case letters and digits; pinyin's ü also
        as v and yu, as it is typed ("lvxin") and written in passports ("lyuxin")."""
        keys = set()
        for surname, given in self._parts:
            for first, second in ((surname, given), (given, surname)):
                for a in _part_keys(first):
                    for b in _part_keys(second):
                        keys.add(a + b)
        keys.discard("")
        return frozenset(keys)

    @property
    def keys(self) -> frozenset[str]:
        """latin_keys and the forms in characters: every key a name search can match."""
        return self.latin_keys | frozenset(self.characters)


@lru_cache(maxsize=65536)  # a part is a surname or a given name: they repeat
def _part_keys(part: str) -> tuple[str, ...]:
    keys = [latin_key(part)]
    lowered = part.lower()
    if "ü" in lowered and re.search(r"[ln]ü", lowered):
        keys.append(latin_key(lowered.replace("ü", "v")))
        keys.append(latin_key(re.sub(r"([ln])ü", r"\1yu", lowered)))
    return tuple(dict.fromkeys(keys))


@cache
def _converters():
    import opencc

    return {
        config: opencc.OpenCC(f"{config}.json")
        for config in ("t2s", "s2t", "s2hk", "s2tw", "hk2s", "tw2s")
    }


def convert(text: str, config: str) -> str:
    """OpenCC conversion of `text` (t2s, s2t, s2hk, s2tw, hk2s, tw2s)."""
    return _converters()[config].convert(text)


@lru_cache(maxsize=4096)
def character_forms(text: str) -> tuple[str, ...]:
    """`text` as written, in simplified and in traditional characters (Hong Kong and
    Taiwan usage where they differ), without repeats: what a query in characters is
    also tried as."""
    forms = dict.fromkeys([text])
    for config in ("t2s", "s2t", "s2hk", "s2tw"):
        forms.setdefault(convert(text, config), None)
    return tuple(forms)


def _surname_length(chars: str) -> int:
    simplified = convert(chars[:2], "t2s")
    return 2 if len(chars) > 2 and simplified in COMPOUND_SURNAMES else 1


@lru_cache(maxsize=65536)
def _tone3(chars: str) -> tuple[str, ...]:
    """Pinyin syllables with tone numbers (5: neutral), ü as v; () unless one per character."""
    syllables = lazy_pinyin(chars, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
    return tuple(syllables) if len(syllables) == len(chars) else ()


@lru_cache(maxsize=4096)
def _surname_tone3(surname: str) -> tuple[str, ...]:
    """A surname's syllables, read as a surname (曾 zeng1, not ceng2)."""
    simplified = convert(surname, "t2s")
    syllables = _tone3(surname)
    if not syllables or not any(SURNAME_READINGS.get(c) for c in simplified):
        return syllables
    readings = pinyin(simplified, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)
    fixed = []
    for char, options, default in zip(simplified, readings, syllables, strict=False):
        wanted = SURNAME_READINGS.get(char)
        fixed.append(next((o for o in options if wanted and to_normal(o) == wanted), default))
    return tuple(fixed)


def _join_pinyin(syllables: list[str]) -> str:
    word = ""
    for syllable in syllables:
        if word and syllable[:1] in "aoeāáǎàōóǒòēéěè":
            word += "'"
        word += syllable
    return word


@lru_cache(maxsize=4096)
def _marked(syllable: str) -> str:
    return to_tone(syllable.replace("v", "ü"))


@lru_cache(maxsize=4096)
def _toneless(syllable: str) -> str:
    return to_normal(syllable)


@lru_cache(maxsize=4096)
def wade_giles_syllable(syllable: str) -> str:
    """One toneless pinyin syllable in Wade-Giles ("xue" → "hsüeh", "zhang" → "chang")."""
    plain = syllable.lower().replace("ü", "v")
    if plain in WADE_GILES_FIXES:
        return WADE_GILES_FIXES[plain]
    return to_wade_glides(plain).replace("v", "ü")


@lru_cache(maxsize=65536)
def _wade_giles(syllables: tuple[str, ...]) -> str:
    """Syllables of one name part as Wade-Giles writes them: hyphenated, "Hsüeh-liang"."""
    if not syllables:
        return ""
    return "-".join(wade_giles_syllable(s) for s in syllables).capitalize()


@cache
def _jyutping_module():
    import ToJyutping

    return ToJyutping


@lru_cache(maxsize=4096)
def hong_kong_syllable(jyutping: str) -> tuple[str, ...]:
    """One Jyutping syllable as Hong Kong spells it ("zoeng1" → ("cheung", "tseung"))."""
    toneless = jyutping.rstrip("123456")
    if toneless in HK_SYLLABLES:
        return HK_SYLLABLES[toneless]
    match = JYUTPING_SYLLABLE.match(toneless)
    if not match:
        return (toneless,)
    initial, final, _ = match.groups()
    if final not in HK_FINALS:
        return (toneless,)
    spellings = []
    for start in HK_INITIALS.get(initial, (initial,)):
        if start == "y" and final.startswith("yu"):
            start = ""
        spellings.append(start + HK_FINALS[final])
    return tuple(dict.fromkeys(spellings))


@dataclass(frozen=True)
class _Part:
    """A surname or a given name in characters, in every form."""

    simplified: str
    traditionals: tuple[str, ...]  # Taiwan and Hong Kong usage; for a surname, as a surname
    marks: str = ""  # Liú
    numbers: str = ""  # Liu2
    wade_giles: str = ""  # Liu; Hsüeh-liang
    jyutping: tuple[str, ...] = ()  # ("lau4",)
    hong_kong: tuple[str, ...] = ()  # ("Lau",); ("Hok Leung",)


def _convert_part(chars: str, surname: bool) -> tuple[str, tuple[str, ...]]:
    """The part in simplified and in traditional characters (each usage, a surname
    converted as a surname first: its Cantonese reading is taken from that form)."""
    simplified = convert(chars, "t2s")
    traditional = dict.fromkeys(TRADITIONAL_SURNAMES.get(simplified, ()) if surname else ())
    for config in ("s2t", "s2hk", "s2tw"):
        traditional.setdefault(convert(chars, config), None)
    return simplified, tuple(traditional)


def _spell(syllables: tuple[str, ...]) -> tuple[str, str, str]:
    """(tone marks, tone numbers, Wade-Giles) of one part's tone-numbered syllables."""
    if not syllables:
        return "", "", ""
    marks = _join_pinyin([_marked(s) for s in syllables]).capitalize()
    numbers = "".join(s.replace("v", "ü") for s in syllables).capitalize()
    return marks, numbers, _wade_giles(tuple(_toneless(s) for s in syllables))


@lru_cache(maxsize=65536)
def _part(chars: str, surname: bool) -> _Part:
    simplified, traditionals = _convert_part(chars, surname)
    traditional = traditionals[0]
    syllables = _surname_tone3(chars) if surname else _tone3(chars)
    marks, numbers, wade_giles = _spell(syllables)
    readings = [reading for _, reading in _jyutping_module().get_jyutping_list(traditional)]
    if surname and len(chars) == 1 and chars in SURNAME_JYUTPING:
        readings = [SURNAME_JYUTPING[chars]]
    if len(readings) != len(chars) or not all(readings):
        return _Part(simplified, traditionals, marks, numbers, wade_giles)
    known = HONG_KONG_SURNAMES.get(traditional) if surname else None
    options = [hong_kong_syllable(reading) for reading in readings]
    spelled = [" ".join(p).title() for p in itertools.islice(itertools.product(*options), 8)]
    hong_kong = known or tuple(spelled)
    return _Part(simplified, traditionals, marks, numbers, wade_giles, tuple(readings), hong_kong)


@lru_cache(maxsize=65536)  # surnames and given names repeat far more than whole names
def name_forms(name: str) -> NameForms:
    """Every form of one name as written (characters or Latin script)."""
    name = (name or "").strip()
    if not name:
        return NameForms(name="")
    if has_cjk(name):
        return _chinese_name_forms(name)
    return _latin_name_forms(name)


def _chinese_name_forms(name: str) -> NameForms:
    chars = "".join(cjk_runs(name))
    cut = _surname_length(chars) if len(chars) > 1 else len(chars)
    surname = _part(chars[:cut], True)
    given = _part(chars[cut:], False) if chars[cut:] else _Part("", ("",), jyutping=("",))
    characters = dict.fromkeys([chars, surname.simplified + given.simplified])
    for traditional_surname in surname.traditionals:
        for traditional_given in given.traditionals:
            characters.setdefault(traditional_surname + traditional_given, None)
    pinyin_plain = romanize_name(name)
    surname_plain, _, given_plain = pinyin_plain.partition(" ")
    parts: list[tuple[str, str]] = [(surname_plain, given_plain)]
    marks = numbers = wade_giles = jyutping = ""
    if surname.numbers and (given.numbers or len(chars) == cut):
        parts += [
            (surname.marks, given.marks),
            (surname.numbers, given.numbers),
            (surname.wade_giles, given.wade_giles),
        ]
        marks = f"{surname.marks} {given.marks}".strip()
        numbers = f"{surname.numbers} {given.numbers}".strip()
        wade_giles = f"{surname.wade_giles} {given.wade_giles}".strip()
    cantonese: tuple[str, ...] = ()
    if surname.jyutping and given.jyutping:
        readings = [r for r in (*surname.jyutping, *given.jyutping) if r]
        jyutping = " ".join(readings)
        parts.append((" ".join(surname.jyutping), " ".join(given.jyutping).strip()))
        parts.append(
            (
                " ".join(r.rstrip("123456") for r in surname.jyutping),
                " ".join(r.rstrip("123456") for r in given.jyutping).strip(),
            )
        )
        spelled = [(s, g) for s in surname.hong_kong for g in given.hong_kong or ("",)]
        spelled = spelled[:MAX_CANTONESE_SPELLINGS]
        cantonese = tuple(f"{s} {g}".strip() for s, g in spelled)
        parts += spelled
    return NameForms(
        name=name,
        characters=tuple(characters),
        pinyin=pinyin_plain,
        pinyin_marks=marks,
        pinyin_numbers=numbers,
        wade_giles=wade_giles,
        jyutping=jyutping,
        cantonese=cantonese,
        _parts=tuple(parts),
    )


def _latin_name_forms(name: str) -> NameForms:
    words = name.split()
    surname, given = (words[0], " ".join(words[1:])) if len(words) > 1 else (name, "")
    parts = [(surname, given)]
    wade_giles = ""
    syllables = [pinyin_syllables(word) for word in words]
    if len(words) > 1 and all(syllables):
        wg_surname = _wade_giles(tuple(syllables[0]))
        wg_given = " ".join(_wade_giles(tuple(s)) for s in syllables[1:])
        wade_giles = f"{wg_surname} {wg_given}"
        parts.append((wg_surname, wg_given))
    return NameForms(name=name, pinyin="", wade_giles=wade_giles, _parts=tuple(parts))


@cache
def pinyin_inventory() -> frozenset[str]:
    """Every toneless Hanyu Pinyin syllable (ü as v), from pypinyin's dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    syllables = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            syllables.add(to_normal(reading))
    return frozenset(s for s in syllables if s.isascii() and s.isalpha())


@lru_cache(maxsize=4096)
def pinyin_syllables(word: str) -> list[str]:
    """A word of Hanyu Pinyin cut into syllables ("Xueliang" → ["xue", "liang"];
    "Xi'an" → ["xi", "an"]), fewest syllables first; [] if it is not pinyin."""
    text = latin_key(word.replace("ü", "v").replace("Ü", "v"))
    if not text or not text.isalpha():
        return []
    inventory = pinyin_inventory()
    parts = [latin_key(part) for part in re.split(r"['’-]", word.lower().replace("ü", "v"))]
    result: list[str] = []
    for part in parts:
        # best[i]: the fewest syllables that spell part[:i]
        best: list[list[str] | None] = [[]] + [None] * len(part)
        for end in range(1, len(part) + 1):
            for start in range(max(0, end - 6), end):
                previous = best[start]
                if previous is not None and part[start:end] in inventory:
                    candidate = [*previous, part[start:end]]
                    if best[end] is None or len(candidate) < len(best[end]):
                        best[end] = candidate
        if not best[len(part)]:
            return []
        result += best[len(part)]
    return result


@dataclass(frozen=True)
class PersonNames:
    """What a person record derives from its names (Person.normalize_names)."""

    name_romanized: str
    name_keys: str  # every key, space-separated, sorted
    name_spellings: str  # every form as written, one per line


def person_name_fields(
    name_original: str, name_romanized: str, aliases: tuple[str, ...] = ()
) -> PersonNames:
    """The romanised name (pinyin of the original when none is given), the search keys
    and the spellings of a person's names: the original, the romanised name and each
    alias, each in every form. Bulk writers call this (or Person.normalize_names)."""
    romanized = name_romanized or romanize_name(name_original)
    keys: set[str] = set()
    spellings: dict[str, None] = {}
    for name in (name_original, romanized, *aliases):
        forms = name_forms(name)
        if not forms.name:
            continue
        keys |= forms.keys
        for form in (forms.name, *forms.characters, *forms.spellings):
            spellings.setdefault(form, None)
    return PersonNames(romanized, " ".join(sorted(keys)), "\n".join(spellings))


@cache
def name_syllable_inventory() -> dict[str, tuple[str, ...]]:
    """The syllables names are spelled with, by first letter: pinyin, Wade-Giles (without
    apostrophes and marks), Jyutping without tones and the Hong Kong spellings."""
    syllables = set(pinyin_inventory())
    syllables |= {latin_key(wade_giles_syllable(s)) for s in pinyin_inventory()}
    for initial in HK_INITIALS:
        for final in HK_FINALS:
            jyutping = initial + final
            syllables.add(jyutping)
            syllables.update(hong_kong_syllable(jyutping))
    for spellings in HONG_KONG_SURNAMES.values():
        for spelling in spellings:
            syllables.update(latin_key(word) for word in spelling.split())
    by_letter: dict[str, list[str]] = {}
    for syllable in sorted(s for s in syllables if s.isalpha()):
        by_letter.setdefault(syllable[0], []).append(syllable)
    return {letter: tuple(group) for letter, group in by_letter.items()}


def without_tone_numbers(key: str) -> str:
    """A key typed with tone numbers, without them: "liu2hu3" → "liuhu"."""
    return TONE_DIGITS.sub("", key)
