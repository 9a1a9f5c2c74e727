"""The gate of every staff page: signed in (else to sign-in), holding a staff role (else
403), and, through StaffMFARequiredMiddleware, with a second factor set up. Object-level
checks happen in the view's first line through ``object_or_403``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def staff_view(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("core.use_staff_site"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.is_staff_view = True  # type: ignore[attr-defined]
    return wrapper


def object_or_403(request: HttpRequest, model: type[M], perm: str, **lookup: Any) -> M:
    """Fetch the object (404 when missing) and check ``perm`` on it (403 when refused)."""
    obj = get_object_or_404(model, **lookup)
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
    return obj


def require_any_perm(request: HttpRequest, obj: Any, *perms: str) -> None:
    if not any(request.user.has_perm(perm, obj) for perm in perms):
        raise PermissionDenied


def apply_validation_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named fields it has, the rest
    above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
