"""People a name may already be in the archive as: the duplicate check before an import.

A person matches a name when they share a whole name key with it: the forms the search
knows (Person.name_keys: the characters as written, pinyin with and without spaces, given
name first, each alias), so 刘虎, "Liu Hu", "liuhu" and "Hu Liu" all match the same
person. Keys come from Person.compute_name_keys, so richer keys (more romanisations)
widen the matches with no change here.

People of every privacy level match: only staff read what this finds (the import report).
No public surface may call it: it would confirm a pseudonymised or withheld person's name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from django.db import connection

from casefile.people.models import Person


@lru_cache(maxsize=1 << 17)  # names repeat, and pinyin is slow
def name_keys(name: str) -> frozenset[str]:
    """The search keys of one name as written (in characters or romanised)."""
    return frozenset(Person(aliases=[name]).compute_name_keys().split())


# A few keys (a small file): through the index person_name_key_list, whose expression is
# string_to_array(name_keys, ' '); its cost follows the keys, not the archive. Many keys
# (a file of thousands of rows): one pass over the people, each key tested against a hash
# of the file's keys; `&&` would compare every candidate's keys with every file key.
INDEXED_KEYS = 256
PEOPLE_SHARING_KEYS = """
    SELECT id, name_keys FROM people_person
    WHERE string_to_array(name_keys, ' ') && %s::text[]
"""
PEOPLE_SHARING_MANY_KEYS = """
    SELECT DISTINCT p.id, p.name_keys
    FROM people_person AS p, unnest(string_to_array(p.name_keys, ' ')) AS key
    WHERE key = ANY(%s::text[])
"""


def matching_people(names: Iterable[str]) -> dict[str, list[int]]:
    """{name: ids of the people it matches, in id order} for each name that matches any;
    one query for all the names, however many."""
    keys_of = {name: name_keys(name) for name in set(names) if name and name.strip()}
    wanted = set().union(*keys_of.values()) if keys_of else set()
    if not wanted:
        return {}
    holders: dict[str, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        query = PEOPLE_SHARING_KEYS if len(wanted) <= INDEXED_KEYS else PEOPLE_SHARING_MANY_KEYS
        cursor.execute(query, [sorted(wanted)])
        for pk, keys in cursor.fetchall():
            for key in keys.split():
                if key in wanted:
                    holders[key].append(pk)
    found = {}
    for name, keys in keys_of.items():
        ids = sorted({pk for key in keys for pk in holders.get(key, ())})
        if ids:
            found[name] = ids
    return found
