from django.conf import settings
from django.db.models import Q
from rest_framework import authentication, exceptions

from casefile.api.models import ApiToken, hash_token
from casefile.api.throttling import Window, client_address

EXPECTED = (
    "Send a token as 'Authorization: Token <key>' (or 'Bearer <key>'), "
    "or no Authorization header to read anonymously."
)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`): an ApiToken that is not revoked.

    `request.auth` is the ApiToken, so permissions can tell read-only tokens apart.
    Any other Authorization header (another scheme, a bare value, an empty one) is a
    401 saying what is expected, never quietly anonymous. Failed tokens are counted
    per client address (API_THROTTLE_FAILED_TOKENS): past the limit the address gets
    429 until its window ends, before any token is looked up, a right one included.
    """

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        if "HTTP_AUTHORIZATION" not in request.META:
            return None
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() not in self.keywords:
            raise exceptions.AuthenticationFailed(EXPECTED)
        failures = Window.current(
            "failed-token", client_address(request), settings.API_THROTTLE_FAILED_TOKENS
        )
        if failures.counted() >= failures.limit:
            raise exceptions.Throttled(wait=failures.retry_after)
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            key = None
        token = key and (
            ApiToken.objects.select_related("user")
            .filter(Q(revoked_at__isnull=True), key_hash=hash_token(key), user__is_active=True)
            .first()
        )
        if not token:
            failures.count()
            raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'
