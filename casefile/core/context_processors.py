"""What every page shows of the site itself: its name and the data's licence."""

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
        "exception": settings.DATA_LICENSE_EXCEPTION,
    }


def license_link_header() -> str:
    """The `Link` header value naming the licence of a download (RFC 8288)."""
    return f'<{settings.DATA_LICENSE_URL}>; rel="license"'
