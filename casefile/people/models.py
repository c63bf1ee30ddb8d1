from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casefile.core.constraints import FieldCheckConstraint, in_vocabulary, plain_text
from casefile.core.expressions import CjkGrams, KeyList
from casefile.core.history import track_history
from casefile.core.models import TimeStampedModel
from casefile.core.triggers import after_rows_really_change
from casefile.people.name_forms import person_name_fields

# What public surfaces show or search of a person: a change to one of these is a change
# of each of their cases (the editors' notes are not). name_spellings is what their cases'
# search text holds of them.
PERSON_PUBLIC_COLUMNS = (
    "name_original",
    "name_romanized",
    "aliases",
    "pseudonym",
    "occupation",
    "privacy",
    "name_spellings",
)


class Privacy(models.TextChoices):
    PUBLIC = "public", _("Public figure: full name shown")
    PSEUDONYMISED = "pseudonymised", _("Pseudonymised: initials or a description shown")
    WITHHELD = "withheld", _("Withheld: the person and their cases are not shown")


# The names a person's search keys are derived from, and the fields derived from them.
NAME_FIELDS = ("name_original", "name_romanized", "aliases")
DERIVED_NAME_FIELDS = ("name_romanized", "name_keys", "name_spellings")


class PersonQuerySet(models.QuerySet):
    """Name keys and spellings need Python (pypinyin, OpenCC, Jyutping): every way of
    writing names through the ORM derives them, bulk ones included (save() does so for
    one person; the importer and generate_cases call Person.normalize_names())."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for person in objs:
            person.normalize_names()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if set(fields) & set(NAME_FIELDS):
            for person in objs:
                person.normalize_names()
            fields = [*fields, *(name for name in DERIVED_NAME_FIELDS if name not in fields)]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if not set(kwargs) & set(NAME_FIELDS):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            renormalize_names(self.model.objects.filter(pk__in=ids))
        return count


def renormalize_names(people) -> None:
    """Derive again the romanised names, keys and spellings of `people` (a queryset)."""
    from casefile.core.bulk import bulk_update_from_values

    changed = []
    for person in people.only("pk", *NAME_FIELDS, *DERIVED_NAME_FIELDS):
        before = tuple(getattr(person, name) for name in DERIVED_NAME_FIELDS)
        person.normalize_names()
        if tuple(getattr(person, name) for name in DERIVED_NAME_FIELDS) != before:
            changed.append(person)
    bulk_update_from_values(Person, changed, [*NAME_FIELDS, *DERIVED_NAME_FIELDS[1:]])


@track_history(exclude=("name_keys", "name_spellings", "name_grams"))
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
        help_text="Search keys of every name form (casefile.people.name_forms), derived on "
        "save: Latin keys (liuhu, huliu, liu2hu3, laufu) and the names in simplified and "
        "traditional characters.",
    )
    name_spellings = models.TextField(
        editable=False,
        blank=True,
        default="",
        help_text="Every form of the names as written (characters, pinyin with and without "
        "tones, Wade-Giles, Jyutping, Hong Kong spellings; both name orders), one per line, "
        "derived on save. A public figure's cases' search text holds them.",
    )
    name_grams = models.GeneratedField(
        expression=CjkGrams(F("name_keys")),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        help_text="Chinese characters and character pairs of the names in every script, "
        "for search.",
    )

    objects = PersonQuerySet.as_manager()

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
            # Near misses of a name ("Lui Hu", "Lu Hu"): public figures holding any of the
            # query's one-edit variants as a whole key.
            GinIndex(
                KeyList(),
                name="person_public_name_key_list",
                condition=Q(privacy=Privacy.PUBLIC),
            ),
            # Duplicate checks (the importer): people of every privacy level sharing a
            # whole name key with a name (string_to_array(name_keys, ' ') && keys).
            GinIndex(KeyList(), name="person_name_key_list"),
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

    def display_name(self) -> str:
        """The public name as a page in the active language shows it (visibility)."""
        from casefile.cases.visibility import display_name

        return display_name(self)

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
            kwargs["update_fields"] = {*kwargs["update_fields"], *DERIVED_NAME_FIELDS}
        super().save(*args, **kwargs)

    def normalize_names(self) -> None:
        """Trim the names, derive the romanised name, the search keys and the spellings
        (casefile.people.name_forms). save() and the queryset's bulk writes call it; bulk
        writers that COPY rows (the importer, generate_cases) call it themselves."""
        self.name_original = self.name_original.strip()
        self.aliases = [alias.strip() for alias in self.aliases if alias.strip()]
        derived = person_name_fields(
            self.name_original, self.name_romanized.strip(), tuple(self.aliases)
        )
        self.name_romanized = derived.name_romanized
        self.name_keys = derived.name_keys
        self.name_spellings = derived.name_spellings

    def compute_name_keys(self) -> str:
        """Every name form as search keys, space-separated (see name_keys)."""
        return person_name_fields(
            self.name_original.strip(), self.name_romanized.strip(), tuple(self.aliases)
        ).name_keys
