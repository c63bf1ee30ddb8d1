"""Who may write through the API: the one place to change when roles change.

The editors' workflow (a later issue) defines the roles; until then, an editor is a
member of the "editor", "reviewer" or "administrator" group, or a superuser.
"""

from rest_framework import permissions

EDITOR_GROUPS = ("editor", "reviewer", "administrator")


def can_edit_cases(user) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=EDITOR_GROUPS).exists()


class ReadOnlyOrEditorToken(permissions.IsAuthenticatedOrReadOnly):
    """Anyone reads; writes need a write-enabled token of a user who can edit cases."""

    message = "Writing needs a read-write API token of an editor."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return bool(token is not None and token.can_write and can_edit_cases(request.user))


class EditorToken(ReadOnlyOrEditorToken):
    """Every method, reads too, needs an editor's read-write token (the editors' endpoints)."""

    def has_permission(self, request, view):
        token = request.auth
        return bool(token is not None and token.can_write and can_edit_cases(request.user))
