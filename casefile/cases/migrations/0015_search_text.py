"""Case.search_text: what the case page shows beyond the case's own text, searchable.

One text per published case (NULL for any other, like the generated search columns):
the vocabulary labels and keys of its offence, list, status, restrictions, events and
amounts; its authority's names, province (in English and Chinese) and city; its person's
name forms (people 0006) and occupation as the privacy level allows; its restrictions'
details and its events' and amounts' descriptions; the outlets and authors of the
sources it cites, and their titles and the quotations where the person is a public
figure (a title or a quotation may name a private person).

A row trigger on cases_case computes it whenever a published case is written.
Everything it reads touches the case when it changes (authorities, people, sources,
captures, citations, restrictions, events, amounts: their touch_cases_* triggers), so a
renamed authority or a retitled source changes what finds its cases, in the same
statement. search_vector (weight B) and text_grams include it; a generated column cannot
be altered before PostgreSQL 17, so both are dropped before the backfill and added again
after it.

The person's part follows casefile.cases.visibility.PERSON_SEARCH_TEXT_SQL, written out
here (a migration does not change with the code); tests/test_search_text.py checks both,
and that every vocabulary label below is Python's.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

import casefile.core.expressions

LABELS = """
{
  "restriction": {"air_travel": "Air travel", "high_speed_rail": "High-speed (top-tier) trains", "property_purchase": "Buying property", "loans_credit": "Loans and credit", "luxury_hotels": "Luxury hotels", "private_school_children": "Children's private schooling", "public_shaming": "Public shaming", "ringback_tone": "Shaming ringback tone", "travel_abroad": "Travel abroad", "business_registration": "Running or registering a business", "civil_service_employment": "Civil-service employment", "other": "Other"},
  "offence": {"defamation_speech": "Defamation or speech", "unpaid_debt": "Unpaid debt", "unpaid_rent": "Unpaid rent", "unpaid_fine": "Unpaid fine", "court_costs": "Court costs", "theft": "Theft", "business_dispute": "Business dispute", "other": "Other"},
  "list": {"spc_dishonest_debtors": "SPC list of dishonest judgment debtors", "restricted_consumption": "Restricted-consumption list", "aviation_blacklist": "Aviation blacklist", "rail_blacklist": "Railway blacklist", "local_list": "Local blacklist", "corporate_score": "Corporate social-credit score", "other": "Other list"},
  "status": {"listed": "Listed", "removed": "Removed from the list", "unknown": "Unknown"},
  "amount": {"owed": "Owed", "fine": "Fine", "fee": "Fee or cost", "paid": "Paid", "damages": "Damages", "value": "Value involved", "other": "Other"},
  "event": {"detained": "Detained", "charged": "Charged", "verdict": "Verdict", "order": "Court order", "listed": "Listed", "restriction_encountered": "Restriction encountered", "discovered": "Learned of the listing", "notified": "Notified", "appeal": "Appeal or objection", "payment": "Payment", "removed": "Removed from the list", "reported": "Reported in the press", "other": "Other"},
  "province": {"anhui": "Anhui 安徽", "beijing": "Beijing 北京", "chongqing": "Chongqing 重庆", "fujian": "Fujian 福建", "gansu": "Gansu 甘肃", "guangdong": "Guangdong 广东", "guangxi": "Guangxi 广西", "guizhou": "Guizhou 贵州", "hainan": "Hainan 海南", "hebei": "Hebei 河北", "heilongjiang": "Heilongjiang 黑龙江", "henan": "Henan 河南", "hubei": "Hubei 湖北", "hunan": "Hunan 湖南", "inner_mongolia": "Inner Mongolia 内蒙古", "jiangsu": "Jiangsu 江苏", "jiangxi": "Jiangxi 江西", "jilin": "Jilin 吉林", "liaoning": "Liaoning 辽宁", "ningxia": "Ningxia 宁夏", "qinghai": "Qinghai 青海", "shaanxi": "Shaanxi 陕西", "shandong": "Shandong 山东", "shanghai": "Shanghai 上海", "shanxi": "Shanxi 山西", "sichuan": "Sichuan 四川", "tianjin": "Tianjin 天津", "tibet": "Tibet 西藏", "xinjiang": "Xinjiang 新疆", "yunnan": "Yunnan 云南", "zhejiang": "Zhejiang 浙江"}
}
"""

FUNCTIONS = (
    r"""
CREATE OR REPLACE FUNCTION casefile_label(vocabulary text, key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT ($labels$"""
    + LABELS
    + r"""$labels$::jsonb -> vocabulary) ->> key
$fn$;

CREATE OR REPLACE FUNCTION casefile_case_search_text(
    p_case bigint, p_person bigint, p_authority bigint,
    p_offence text, p_list text, p_status text
) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    person_public boolean := false;
    person_text text;
    authority_text text;
    restriction_text text;
    event_text text;
    amount_text text;
    source_text text;
BEGIN
    SELECT p.privacy = 'public',
           CASE p.privacy
               WHEN 'public' THEN concat_ws(E'\n', p.name_spellings, p.occupation)
               WHEN 'withheld' THEN NULL
               ELSE concat_ws(E'\n', coalesce(nullif(p.pseudonym, ''), 'Unnamed person'),
                              p.occupation)
           END
      INTO person_public, person_text
      FROM people_person AS p WHERE p.id = p_person;
    SELECT concat_ws(' ', a.name, a.name_original, a.city, a.province,
                     casefile_label('province', a.province))
      INTO authority_text
      FROM authorities_authority AS a WHERE a.id = p_authority;
    SELECT string_agg(concat_ws(' ', r.kind, casefile_label('restriction', r.kind), r.details),
                      E'\n' ORDER BY r.kind, r.id)
      INTO restriction_text
      FROM cases_restriction AS r WHERE r.case_id = p_case;
    SELECT string_agg(concat_ws(' ', casefile_label('event', e.kind), e.description),
                      E'\n' ORDER BY e.occurred_on, e.id)
      INTO event_text
      FROM cases_event AS e WHERE e.case_id = p_case;
    SELECT string_agg(concat_ws(' ', casefile_label('amount', m.kind), m.description),
                      E'\n' ORDER BY m.kind, m.id)
      INTO amount_text
      FROM cases_amount AS m WHERE m.case_id = p_case;
    SELECT string_agg(DISTINCT concat_ws(' ', s.outlet, array_to_string(s.authors, ' '),
                                         CASE WHEN person_public THEN s.title END,
                                         CASE WHEN person_public THEN nullif(ci.quote, '') END),
                      E'\n')
      INTO source_text
      FROM cases_citation AS ci
      JOIN sources_sourcecapture AS cap ON cap.id = ci.capture_id
      JOIN sources_source AS s ON s.id = cap.source_id
      WHERE ci.case_id = p_case;
    RETURN concat_ws(E'\n',
        concat_ws(' ', p_offence, casefile_label('offence', p_offence)),
        concat_ws(' ', p_list, casefile_label('list', p_list)),
        concat_ws(' ', p_status, casefile_label('status', p_status)),
        restriction_text, authority_text, person_text, event_text, amount_text, source_text);
END
$fn$;

CREATE OR REPLACE FUNCTION casefile_case_search_text_row() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.publication_state = 'published' THEN
        NEW.search_text := casefile_case_search_text(
            NEW.id, NEW.person_id, NEW.authority_id,
            NEW.offence_category, NEW.list_name, NEW.status);
    ELSE
        NEW.search_text := NULL;
    END IF;
    RETURN NEW;
END
$fn$;
"""
)
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS casefile_case_search_text_row();
DROP FUNCTION IF EXISTS casefile_case_search_text(bigint, bigint, bigint, text, text, text);
DROP FUNCTION IF EXISTS casefile_label(text, text);
"""

# Drafts (an import's 100,000) skip the trigger entirely; any write of a published case
# recomputes its text, and so does every touch of it by the tables the text reads.
TRIGGERS = """
DROP TRIGGER IF EXISTS casefile_case_search_text_ins ON cases_case;
DROP TRIGGER IF EXISTS casefile_case_search_text_upd ON cases_case;
CREATE TRIGGER casefile_case_search_text_ins
    BEFORE INSERT ON cases_case
    FOR EACH ROW WHEN (NEW.publication_state = 'published')
    EXECUTE FUNCTION casefile_case_search_text_row();
CREATE TRIGGER casefile_case_search_text_upd
    BEFORE UPDATE ON cases_case
    FOR EACH ROW WHEN (NEW.publication_state = 'published' OR OLD.search_text IS NOT NULL)
    EXECUTE FUNCTION casefile_case_search_text_row();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS casefile_case_search_text_ins ON cases_case;
DROP TRIGGER IF EXISTS casefile_case_search_text_upd ON cases_case;
"""

# Existing published cases, once, without the row triggers (which would move every
# case's updated_at, the change feed and the public data version).
BACKFILL = """
ALTER TABLE cases_case DISABLE TRIGGER USER;
UPDATE cases_case AS c
SET search_text = casefile_case_search_text(
    c.id, c.person_id, c.authority_id, c.offence_category, c.list_name, c.status)
WHERE c.publication_state = 'published';
ALTER TABLE cases_case ENABLE TRIGGER USER;
"""


def published_only(expression, output_field):
    return models.Case(
        models.When(publication_state="published", then=expression),
        output_field=output_field,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_no_control_characters"),
        ("people", "0007_name_forms"),
        ("authorities", "0004_no_control_characters"),
        ("sources", "0004_no_control_characters"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_search_vector"),
        migrations.RemoveIndex(model_name="case", name="case_text_grams"),
        migrations.RemoveField(model_name="case", name="search_vector"),
        migrations.RemoveField(model_name="case", name="text_grams"),
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=models.TextField(
                blank=True,
                editable=False,
                null=True,
                help_text="What the case page shows beyond the case's own text, for search: the vocabulary labels and keys of its offence, list, status, restrictions, events and amounts; its authority, province and city in English and Chinese; its person's name forms and occupation as the privacy level allows (casefile.cases.visibility); its restrictions' details, events' and amounts' descriptions; the outlets and authors of the sources it cites, their titles and the quotations only where the person is a public figure. Kept by a database trigger from every table it reads (migration cases 0013), for published cases only.",
            ),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddField(
            model_name="case",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=published_only(
                    django.contrib.postgres.search.CombinedSearchVector(
                        django.contrib.postgres.search.CombinedSearchVector(
                            django.contrib.postgres.search.SearchVector(
                                "summary", config="english", weight="A"
                            ),
                            "||",
                            django.contrib.postgres.search.SearchVector(
                                "reason_en", "outcome", "search_text", config="english", weight="B"
                            ),
                            django.contrib.postgres.search.SearchConfig("english"),
                        ),
                        "||",
                        django.contrib.postgres.search.SearchVector(
                            "narrative", config="english", weight="C"
                        ),
                        django.contrib.postgres.search.SearchConfig("english"),
                    ),
                    django.contrib.postgres.search.SearchVectorField(),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="text_grams",
            field=models.GeneratedField(
                db_persist=True,
                expression=published_only(
                    casefile.core.expressions.CjkGrams(
                        "reason_original",
                        "summary",
                        "narrative",
                        "outcome",
                        "docket_number",
                        "search_text",
                    ),
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None
                    ),
                ),
                output_field=django.contrib.postgres.fields.ArrayField(
                    base_field=models.TextField(), size=None
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="case_search_vector"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["text_grams"], name="case_text_grams"
            ),
        ),
    ]
