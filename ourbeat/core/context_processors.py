from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url


def site(request: HttpRequest) -> dict[str, Any]:
    """The site name and, for the language switcher, this page in every language."""
    return {
        "site_name": settings.OURBEAT_SITE_NAME,
        "language_links": [
            (code, name, translate_url(request.get_full_path(), code))
            for code, name in settings.LANGUAGES
        ],
    }
