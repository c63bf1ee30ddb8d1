"""Permanent addresses: the public pages' URLs as they are cited.

Citations, the search feed's entry ids, the sitemap and the pages' citation tags name a
page by SITE_URL and its path, whatever host a request came to, so that an address
stays the same wherever it was read. (Links to API resources in the API's answers use
the request's host, as the API always has.)
"""

from django.conf import settings


def permanent_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
