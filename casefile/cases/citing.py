"""“Cite this case”: BibTeX, RIS, CSL-JSON and a Chicago-style citation of a case page.

Each names the archive (Casefile), the case's public id, its permanent URL (the case's
URL on SITE_URL when it is set, else on the host the request came to:
casefile.core.links) and the date the reader accessed it.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from casefile.cases.models import Case
from casefile.core.links import absolute_url

FORMATS = {
    # key in the URL: (content type, file extension, label)
    "bib": ("application/x-bibtex; charset=utf-8", "bib", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json", "CSL-JSON"),
}
BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
    "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
}  # fmt: skip


def _long_date(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


@dataclass
class CaseCitation:
    case: Case
    accessed: datetime.date
    request: object = None  # the request being answered: its host, unless SITE_URL is set

    @classmethod
    def of(cls, case: Case, accessed: datetime.date | None = None, *, request=None) -> CaseCitation:
        return cls(case, accessed or timezone.localdate(), request)

    @property
    def archive(self) -> str:
        return settings.SITE_NAME

    @property
    def public_id(self) -> str:
        return self.case.public_id

    # A citation names the permanent, English record, whatever the page's language (a
    # Chinese page offers its own address beside it).
    @property
    def url(self) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return absolute_url(self.request, self.case.get_absolute_url())

    @property
    def title(self) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            list_name = str(self.case.get_list_name_display())
        return f"Case {self.public_id}: {self.case.person.public_name()}, {list_name}"

    @property
    def published(self) -> datetime.date | None:
        published_at = self.case.published_at
        return timezone.localdate(published_at) if published_at else None

    @property
    def key(self) -> str:
        return f"casefile-{self.public_id.lower()}"

    def filename(self, fmt: str) -> str:
        return f"{self.key}.{FORMATS[fmt][1]}"

    def render(self, fmt: str) -> str:
        return {"bib": self.bibtex, "ris": self.ris, "json": self.csl_json}[fmt]()

    def chicago(self) -> str:
        """Chicago style (bibliography entry for a web page)."""
        parts = [f"{self.archive}.", f"“{self.title}.”"]
        if self.published:
            parts.append(f"Published {_long_date(self.published)}.")
        parts.append(f"Case {self.public_id}. Accessed {_long_date(self.accessed)}.")
        parts.append(f"{self.url}.")
        return " ".join(parts)

    def bibtex(self) -> str:
        def value(text: str) -> str:
            return "".join(BIBTEX_SPECIAL.get(ch, ch) for ch in text)

        fields = [
            ("author", f"{{{value(self.archive)}}}"),
            ("title", value(self.title)),
            ("howpublished", value(self.archive)),
            ("number", value(self.public_id)),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("note", value(f"{self.archive} case {self.public_id}; accessed {self.accessed}")),
        ]
        if self.published:
            fields.insert(3, ("year", str(self.published.year)))
            fields.insert(4, ("date", self.published.isoformat()))
        body = ",\n".join(f"  {name} = {{{text}}}" for name, text in fields)
        return f"@misc{{{self.key},\n{body}\n}}\n"

    def ris(self) -> str:
        lines = [
            ("TY", "ELEC"),
            ("ID", self.key),
            ("TI", self.title),
            ("AU", self.archive),
            ("T2", self.archive),
            ("PB", self.archive),
            ("M1", self.public_id),
            ("UR", self.url),
            ("Y2", self.accessed.strftime("%Y/%m/%d")),
            ("N1", f"{self.archive} case {self.public_id}; accessed {self.accessed}"),
        ]
        if self.published:
            lines.insert(4, ("PY", str(self.published.year)))
            lines.insert(5, ("DA", self.published.strftime("%Y/%m/%d")))
        lines.append(("ER", ""))
        # RIS: a two-letter tag, two spaces, a hyphen, a space; CRLF line ends.
        return "".join(f"{tag}  - {text}".rstrip() + "\r\n" for tag, text in lines)

    def csl_json(self) -> str:
        item = {
            "id": self.key,
            "type": "webpage",
            "title": self.title,
            "author": [{"literal": self.archive}],
            "container-title": self.archive,
            "publisher": self.archive,
            "number": self.public_id,
            "URL": self.url,
            "accessed": {"date-parts": [[*self.accessed.timetuple()[:3]]]},
            "note": f"{self.archive} case {self.public_id}",
        }
        if self.published:
            item["issued"] = {"date-parts": [[*self.published.timetuple()[:3]]]}
        return json.dumps([item], ensure_ascii=False, indent=2) + "\n"
