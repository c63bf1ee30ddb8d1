from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Func, Q, Value
from django.urls import reverse

from casefile.core.constraints import FieldCheckConstraint, in_vocabulary, plain_text
from casefile.core.expressions import CjkGramsWithArray
from casefile.core.history import track_history
from casefile.core.models import TimeStampedModel
from casefile.core.text import cjk_runs, has_cjk, latin_key
from casefile.core.triggers import after_rows_really_change
from casefile.people.romanization import romanize_name

# What public surfaces show or search of a person: a change to one of these is a change
# of each of their cases (the editors' notes are not).
PERSON_PUBLIC_COLUMNS = (
    "name_original",
    "name_romanized",
    "aliases",
    "pseudonym",
    "occupation",
    "privacy",
)


class Privacy(models.TextChoices):
    PUBLIC = "public", "Public figure: full name shown"
    PSEUDONYMISED = "pseudonymised", "Pseudonymised: initials or a description shown"
    WITHHELD = "withheld", "Withheld: the person and their cases are not shown"


def name_variants(name: str) -> set[str]:
    """Latin search keys for one name as written: "Lü Xin" -> {"luxin", "lvxin", "lyuxin", "xinlu"…}."""
    keys = set()
    romanized = romanize_name(name) if has_cjk(name) else name
    for form in {name, romanized}:
        key = latin_key(form)
        if not key:
            continue
        keys.add(key)
        words = [key for word in form.split() if (key := latin_key(word))]
        if len(words) == 2:  # given name first, as Western outlets sometimes print it
            keys.add(words[1] + words[0])
        if "ü" in form.lower():  # ü is typed as v, or written yu in passports
            keys.add(latin_key(form.lower().replace("ü", "v")))
            keys.add(latin_key(form.lower().replace("ü", "yu")))
    return keys


def name_key_list() -> Func:
    """A person's name keys as an array, `string_to_array(name_keys, ' ')`: what the
    duplicate check (casefile.people.matching) compares whole keys on, through the index
    person_name_key_list. A plain Func, so the migration needs nothing of this module."""
    return Func(
        F("name_keys"),
        Value(" "),
        function="string_to_array",
        output_field=ArrayField(models.TextField()),
    )


@track_history(exclude=("name_keys", "name_grams"))
class Person(TimeStampedModel):
    name_original = models.CharField(
        "name in original script",
        max_length=200,
        blank=True,
        help_text="As written in the source, usually in Chinese characters, e.g. 刘虎.",
    )
    name_romanized = models.CharField(
        "romanised name",
        max_length=200,
        blank=True,
        help_text="Surname first, e.g. Liu Hu. Left blank, it is derived from the original "
        "name with Hanyu Pinyin.",
    )
    aliases = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="Other names and spellings the person is known by; searchable when the "
        "person is a public figure.",
    )
    pseudonym = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown instead of the name when the person is pseudonymised: initials "
        "(L. H.) or a description (unnamed man, Hubei).",
    )
    occupation = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown on every public surface, whatever the privacy level: for a private "
        'person keep it general ("shop owner", not the shop\'s name).',
    )
    privacy = models.CharField(
        max_length=13,
        choices=Privacy.choices,
        default=Privacy.PSEUDONYMISED,
        help_text="Most listed people are private individuals: show a real name only for "
        "public figures, and withhold a person entirely when showing any case could "
        "endanger them.",
    )
    notes = models.TextField(blank=True, help_text="For editors only; never published.")
    name_keys = models.TextField(
        editable=False,
        blank=True,
        help_text="Latin search keys of every name form, derived on save.",
    )
    name_grams = models.GeneratedField(
        expression=CjkGramsWithArray(F("name_original"), F("aliases")),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        help_text="Chinese characters and character pairs of the names, for search.",
    )

    class Meta:
        verbose_name_plural = "people"
        ordering = ["name_romanized", "name_original", "id"]
        constraints = [
            in_vocabulary("privacy", Privacy, name="person_privacy_valid"),
            FieldCheckConstraint(
                condition=~Q(name_original="", name_romanized="", pseudonym=""),
                name="person_has_a_name",
                field="name_original",
                violation_error_message="Give a name, a romanised name or a pseudonym.",
            ),
            FieldCheckConstraint(
                condition=~Q(privacy=Privacy.PUBLIC, name_original="", name_romanized=""),
                name="person_public_has_real_name",
                field="privacy",
                violation_error_message="A public figure needs a real name.",
            ),
            *plain_text(
                "name_original",
                "name_romanized",
                "pseudonym",
                "occupation",
                "notes",
                arrays=("aliases",),
                prefix="person",
            ),
        ]
        indexes = [
            # Case.objects.published()'s anti-join: the few withheld people, found
            # without reading every person (every public query runs it).
            models.Index(
                fields=["id"], name="person_withheld", condition=Q(privacy=Privacy.WITHHELD)
            ),
            # Name search in Latin script: substring and misspelling (trigram) matches.
            GinIndex(
                name="person_name_keys_trgm", fields=["name_keys"], opclasses=["gin_trgm_ops"]
            ),
            # Name search in Chinese characters, including two-character names.
            GinIndex(name="person_name_grams", fields=["name_grams"]),
            # The search box matches the names of public figures only (named()): the same
            # two indexes over their rows alone, a fraction of everyone's.
            GinIndex(
                name="person_public_name_keys_trgm",
                fields=["name_keys"],
                opclasses=["gin_trgm_ops"],
                condition=Q(privacy=Privacy.PUBLIC),
            ),
            GinIndex(
                name="person_public_name_grams",
                fields=["name_grams"],
                condition=Q(privacy=Privacy.PUBLIC),
            ),
            # Duplicate checks (the importer): people of every privacy level sharing a
            # whole name key with a name (string_to_array(name_keys, ' ') && keys).
            GinIndex(name_key_list(), name="person_name_key_list"),
        ]
        permissions = [("merge_person", "Can merge two person records into one")]
        # A person's name or privacy is part of each of their cases as published:
        # touching the cases puts them in the change feed (a withheld person's cases
        # become tombstones there) and changes their ETags.
        triggers = after_rows_really_change(
            "touch_cases_of_person",
            "UPDATE cases_case SET updated_at = clock_timestamp() "
            "WHERE person_id IN (SELECT id FROM {changed_rows} AS changed);",
            columns=PERSON_PUBLIC_COLUMNS,
        )

    def __str__(self):
        name = " ".join(part for part in (self.name_romanized, self.name_original) if part)
        return name or self.pseudonym

    def get_absolute_url(self):
        return reverse("person-detail", args=[self.pk])

    def public_name(self) -> str:
        """The name a public surface may show, as the privacy level allows (the rule is
        casefile.cases.visibility.public_name)."""
        from casefile.cases.visibility import public_name

        return public_name(self)

    @property
    def is_public_figure(self) -> bool:
        """Whether the real name may be shown and searched (casefile.cases.visibility)."""
        from casefile.cases.visibility import is_public_figure

        return is_public_figure(self)

    def save(self, *args, **kwargs):
        self.normalize_names()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_romanized", "name_keys"}
        super().save(*args, **kwargs)

    def normalize_names(self) -> None:
        """Trim the names, derive the romanised name and the search keys. save() calls it;
        bulk writers (the importer) call it themselves, as bulk_create skips save()."""
        self.name_original = self.name_original.strip()
        self.name_romanized = self.name_romanized.strip() or romanize_name(self.name_original)
        self.aliases = [alias.strip() for alias in self.aliases if alias.strip()]
        self.name_keys = self.compute_name_keys()

    def compute_name_keys(self) -> str:
        """Every name form, space-separated: Latin keys ("liuhu", "huliu") and the
        names in Chinese characters as written, for substring checks."""
        keys = set()
        for name in (self.name_original, self.name_romanized, *self.aliases):
            keys |= name_variants(name)
            keys.update(cjk_runs(name))
        return " ".join(sorted(keys))
