"""The three roles of the editorial side, as auth groups with permissions.

- editor: enters people, sources and cases, edits drafts, submits them for review,
  imports spreadsheets (imported cases land as drafts);
- reviewer: everything an editor does, plus publish, send back with a comment,
  retract with a reason, see a case's full history, restore an earlier version,
  merge two person records, and edit published cases (corrections);
- administrator: every permission, including managing user accounts.

Groups are created by a data migration (editorial 0001) that calls
`sync_role_groups`; a later change to the lists below comes with a migration that
calls it again.
"""

from django.contrib.auth.management import create_permissions
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")
    ADMINISTRATOR = "administrator", _("Administrator")


def _crud(app_label: str, model: str, actions: str) -> list[str]:
    return [f"{app_label}.{action}_{model}" for action in actions.split()]


EDITOR_PERMISSIONS = [
    *_crud("cases", "case", "view add change"),
    *_crud("cases", "restriction", "view add change delete"),
    *_crud("cases", "amount", "view add change delete"),
    *_crud("cases", "event", "view add change delete"),
    *_crud("cases", "citation", "view add change delete"),
    *_crud("people", "person", "view add change"),
    *_crud("authorities", "authority", "view add change"),
    *_crud("sources", "source", "view add change"),
    *_crud("sources", "sourcecapture", "view add change"),
    # Kept files are attached and read, never changed or deleted (by anyone).
    *_crud("sources", "capturefile", "view add"),
    "cases.import_cases",
]

REVIEWER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    "cases.publish_case",
    "cases.view_case_history",
    "cases.restore_case",
    "people.merge_person",
]

# Administrators get every permission that exists when the groups are synced.
ALL_PERMISSIONS = "__all__"

ROLE_PERMISSIONS: dict[str, list[str] | str] = {
    Role.EDITOR: EDITOR_PERMISSIONS,
    Role.REVIEWER: REVIEWER_PERMISSIONS,
    Role.ADMINISTRATOR: ALL_PERMISSIONS,
}


def sync_role_groups(apps) -> None:
    """Create or update the role groups so each holds exactly its permissions.

    `apps` is a migration's app registry or django.apps.apps. Permissions are normally
    created after the last migration; they are created here first so a fresh
    database gets complete groups.
    """
    for app_config in apps.get_app_configs():
        # Migration app configs have no models module; create_permissions skips those.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if wanted == ALL_PERMISSIONS:
            permissions = list(Permission.objects.all())
        else:
            permissions = []
            for dotted in wanted:
                app_label, codename = dotted.split(".")
                found = Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                if found is None and not _exists_yet(apps, app_label, codename):
                    continue  # a migration before the model's: a later one syncs again
                if found is None:
                    raise Permission.DoesNotExist(f"No permission {dotted}.")
                permissions.append(found)
        group.permissions.set(permissions)


def _exists_yet(apps, app_label: str, codename: str) -> bool:
    """Whether the model a default permission (view_x, add_x…) is about exists in `apps`:
    a migration that syncs the groups runs before the migrations of later models."""
    action, _, model_name = codename.partition("_")
    if action not in ("view", "add", "change", "delete"):
        return True
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def create_user_with_role(*, username: str, role: str, password: str | None, email: str = ""):
    """Create a staff account in one role's group. `password=None` makes an account that
    cannot sign in until an administrator sets a password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.password_validation import validate_password
    from django.db import transaction

    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
    User = get_user_model()
    user = User(username=username, email=email, is_staff=True)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        if password is None:
            user.set_unusable_password()
        else:
            validate_password(password, user)
            user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=role))
    return user
