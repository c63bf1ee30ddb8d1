"""The languages of the site: English at plain addresses, Simplified Chinese under
/zh-hans/ (django's LocaleMiddleware and i18n_patterns, casefile/urls.py).

Pages take their language from the address only, so that a cited or shared address shows
the same page to everyone; an English page offers its Chinese version to a visitor whose
browser prefers Chinese (never a redirect). The API has one address per resource: its
labels follow Accept-Language, with `Vary: Accept-Language` and `Content-Language`.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

from casefile.core.links import absolute_url

CHINESE = "zh-hans"
# The language codes of HTML's lang attribute (BCP 47, in its usual case).
HTML_LANG = {"en": "en", CHINESE: "zh-Hans"}
NATIVE_NAMES = dict(settings.LANGUAGES)


def is_chinese(language: str | None = None) -> bool:
    """Whether `language` (default: the active one) is Chinese."""
    return (language or translation.get_language() or "").lower().startswith("zh")


def html_lang(language: str | None = None) -> str:
    """The lang attribute of a page in `language` (default: the active one)."""
    return HTML_LANG.get((language or translation.get_language() or "en").lower(), "en")


def preferred_language(request) -> str:
    """The supported language the browser's Accept-Language prefers (else English)."""
    return translation.get_language_from_request(request, check_path=False)


def language_versions(request) -> list[dict]:
    """This page in each language: its address (query string kept) and whether it is
    the one shown. A page outside the translated URLs has one version."""
    # A view may say which query its links keep (the search page drops what it ignored).
    query = getattr(request, "kept_query", None)
    here = request.get_full_path() if query is None else f"{request.path}{query}".rstrip("?")
    current = translation.get_language()
    versions = []
    for code, name in settings.LANGUAGES:
        url = here if code == current else translate_url(here, code)
        versions.append(
            {
                "code": code,
                "lang": HTML_LANG[code],
                "name": name,
                "url": url,
                "absolute_url": absolute_url(request, url),
                "current": code == current,
            }
        )
    if any(v["url"] == here for v in versions if not v["current"]):
        return [v for v in versions if v["current"]]  # not a translated address
    return versions


class LanguageScopeMiddleware:
    """The language a request activated ends with it. LocaleMiddleware (inside this)
    leaves it active in the thread: code run afterwards by that thread outside a request
    (a test, a command started from a worker) would speak Chinese after a Chinese page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        previous = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            if previous:
                translation.activate(previous)
            else:
                translation.deactivate()


class ApiLanguageMiddleware:
    """The API speaks the language Accept-Language asks for: its labels (facets, the
    info document) are translated, its keys and data never. LocaleMiddleware, before
    this, sets the default language for every address outside /zh-hans/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers["Content-Language"] = language
        return response
