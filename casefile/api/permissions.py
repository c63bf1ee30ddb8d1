"""Who may write through the API: the editorial roles, not a list of its own.

A request writes only with a read-write token whose user holds the model permission
for the method (POST cases.add_case, PATCH cases.change_case), which the role groups
of casefile/editorial/roles.py grant (editor, reviewer, administrator); superusers
hold every permission. Reading the editors' endpoints (cases in any state) needs a
read-write token and cases.view_case.

Whether that user may change one particular case as it is now (a draft, in review,
published, retracted) is the editors' rule, services.can_edit_case, which the
services apply under the row lock, exactly as the admin does.
"""

from rest_framework import permissions

METHOD_PERMISSIONS = {
    "POST": "cases.add_case",
    "PUT": "cases.change_case",
    "PATCH": "cases.change_case",
    "DELETE": "cases.delete_case",
}
READ_PERMISSION = "cases.view_case"


def role_allows(user, method: str) -> bool:
    """Whether the user's role (their permissions) allows `method` on cases."""
    if not user or not user.is_authenticated:
        return False
    return user.has_perm(METHOD_PERMISSIONS.get(method, READ_PERMISSION))


def can_write_cases(user) -> bool:
    """Whether a read-write token of this user could write at all."""
    return role_allows(user, "POST") or role_allows(user, "PATCH")


def _write_token(request) -> bool:
    token = request.auth
    return bool(token is not None and token.can_write)


class ReadOnlyOrEditorToken(permissions.IsAuthenticatedOrReadOnly):
    """Anyone reads; writes need a write-enabled token of a user whose role allows them."""

    message = "Writing needs a read-write API token of a user whose role allows it."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return _write_token(request) and role_allows(request.user, request.method)


class EditorToken(ReadOnlyOrEditorToken):
    """Every method, reads too, needs a read-write token and the role's permission for it
    (the editors' endpoints)."""

    def has_permission(self, request, view):
        return _write_token(request) and role_allows(request.user, request.method)
