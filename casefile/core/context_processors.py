"""What every page shows of the site itself: its name, the data's licence, its languages."""

from django.conf import settings


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "data_license": license_info(),
    }


def license_info() -> dict:
    """The data's licence as settings state it, in the shape the data package uses."""
    return {
        "name": settings.DATA_LICENSE,
        "title": settings.DATA_LICENSE_TITLE,
        "path": settings.DATA_LICENSE_URL,
        "exception": str(settings.DATA_LICENSE_EXCEPTION),  # in the language answered
    }


def license_link_header() -> str:
    """The `Link` header value naming the licence of a download (RFC 8288)."""
    return f'<{settings.DATA_LICENSE_URL}>; rel="license"'


def languages(request):
    """The page's language and its versions in the others (the language switch and the
    hreflang alternates), and, on an English page whose reader's browser prefers Chinese,
    the Chinese version to offer."""
    from casefile.core.languages import CHINESE, html_lang, language_versions, preferred_language

    versions = language_versions(request)
    current = next((v for v in versions if v["current"]), None)
    offer = None
    if (
        len(versions) > 1
        and current
        and current["code"] != CHINESE
        and preferred_language(request) == CHINESE
    ):
        offer = next(v for v in versions if v["code"] == CHINESE)
    return {
        "page_lang": html_lang(),
        "language_versions": versions if len(versions) > 1 else [],
        "chinese_offer": offer,
    }
