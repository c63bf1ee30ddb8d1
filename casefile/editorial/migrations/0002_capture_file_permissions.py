"""Editors and reviewers view and attach kept files of captures (casefile.sources), which
nobody changes or deletes: the role groups get sources.view_capturefile and
sources.add_capturefile."""

from django.db import migrations

from casefile.editorial.roles import sync_role_groups


def sync_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_role_groups"),
        ("sources", "0006_kept_capture_files_and_sharing"),
        ("cases", "0017_quote_check"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
