"""Every staff role must use a second factor: until a staff member has set up TOTP, every
staff, admin and staff-API request sends them to set it up (an API call gets a 403)."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

PROTECTED_PREFIXES = ("/staff/", "/admin/", "/api/v1/staff/")
LOCALE_PREFIXES = ("/en", "/ru")


def _unlocalised(path: str) -> str:
    for prefix in LOCALE_PREFIXES:
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path


def has_totp(user: object) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = _unlocalised(request.path_info)
        user = request.user
        if (
            path.startswith(PROTECTED_PREFIXES)
            and user.is_authenticated
            and user.holds_staff_role
            and not has_totp(user)
        ):
            if path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication before using staff tools.")},
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
