from django.db.models import Q
from rest_framework import authentication, exceptions

from casefile.api.models import ApiToken, hash_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`): an ApiToken that is not revoked.

    `request.auth` is the ApiToken, so permissions can tell read-only tokens apart.
    """

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Token <key>'."
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = (
            ApiToken.objects.select_related("user")
            .filter(Q(revoked_at__isnull=True), key_hash=hash_token(key), user__is_active=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'
