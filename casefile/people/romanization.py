"""Hanyu Pinyin for personal names, in the form used in English-language reporting.

"刘虎" -> "Liu Hu", "欧阳修" -> "Ouyang Xiu", "曾国藩" -> "Zeng Guofan". A name is
read as surname + given name; surnames whose characters have another reading
in ordinary words (曾 zeng/ceng, 单 shan/dan…) use their surname reading.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from casefile.core.text import cjk_runs, has_cjk

COMPOUND_SURNAMES = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "万俟", "闻人",
    "澹台", "公冶", "太史", "申屠", "钟离", "呼延", "百里", "东郭", "西门", "羊舌",
}  # fmt: skip

SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha",
    "朴": "piao", "盖": "ge", "覃": "qin", "缪": "miao", "乐": "yue", "秘": "bi",
    "召": "shao", "员": "yun", "种": "chong", "翟": "zhai", "隗": "wei", "冼": "xian",
    "尉迟": "yuchi", "万俟": "moqi", "长孙": "zhangsun", "单于": "chanyu",
}  # fmt: skip

INITIAL_VOWELS = ("a", "o", "e")


@lru_cache(maxsize=65536)  # surnames and given names repeat far more than whole names
def _syllables(chars: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(chars, style=Style.NORMAL, v_to_u=True, errors="ignore"))


def _join(syllables: tuple[str, ...]) -> str:
    """Join syllables into one word, with the apostrophe pinyin uses before a/o/e."""
    word = ""
    for syllable in syllables:
        if word and syllable.startswith(INITIAL_VOWELS):
            word += "'"
        word += syllable
    return word


def _surname_length(name: str) -> int:
    return 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1


@lru_cache(maxsize=65536)  # pinyin is slow; a name is romanised for its row and its keys
def romanize_name(name: str) -> str:
    """The pinyin form of a Chinese personal name, or "" when it has no Chinese characters."""
    if not has_cjk(name):
        return ""
    runs = cjk_runs(name)
    chars = "".join(runs)
    if len(chars) == 1:
        return _join(_syllables(chars)).capitalize()
    cut = _surname_length(chars)
    surname = chars[:cut]
    surname_pinyin = SURNAME_READINGS.get(surname) or _join(_syllables(surname))
    given = _join(_syllables(chars[cut:]))
    return f"{surname_pinyin.capitalize()} {given.capitalize()}".strip()
