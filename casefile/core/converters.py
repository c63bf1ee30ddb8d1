"""Path converters for the ids in URLs, registered once (CoreConfig.ready).

A path segment that cannot be an id (a NUL byte, other control characters, letters
outside the alphabet, a number beyond PostgreSQL's bigint) matches no URL: the answer
is 404 before any view runs or any query is sent.
"""

from casefile.cases.models import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH


def _character_class(alphabet: str) -> str:
    """A regex class of `alphabet` in either case: ids are read case-insensitively."""
    return "[" + "".join(sorted(set(alphabet.upper() + alphabet.lower()))) + "]"


class PublicIdConverter:
    """A case's public id: PUBLIC_ID_LENGTH characters of Crockford's base32, in either
    case; views receive it upper-cased, as it is stored."""

    regex = f"{_character_class(PUBLIC_ID_ALPHABET)}{{{PUBLIC_ID_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return str(value)


class RecordIdConverter:
    """A row id (people, authorities, sources): a positive bigint, at most 18 digits
    (PostgreSQL's bigint holds 19, not all of them)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class Sha256Converter:
    """A SHA-256 digest as 64 lower-case hexadecimal characters (a kept file)."""

    regex = "[0-9a-f]{64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)
