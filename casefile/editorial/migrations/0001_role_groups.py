from django.db import migrations

from casefile.editorial.roles import sync_role_groups


def create_role_groups(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
        ("authorities", "0001_initial"),
        ("cases", "0005_history_import_key_notes_and_review_permissions"),
        ("people", "0003_history_and_merge_permission"),
        ("sources", "0002_history"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
