"""Audit events for sign-ins and second-factor changes, which happen inside allauth."""

from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ourbeat.core import audit


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record("accounts.sign_in", actor=user, obj=user)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # Only the address tried, never the password.
    audit.record(
        "accounts.sign_in_failed", actor=None, data={"email": str(credentials.get("email", ""))}
    )


@receiver(authenticator_added)
def _mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    audit.record("accounts.mfa.add", actor=user, obj=user, data={"type": authenticator.type})


@receiver(authenticator_removed)
def _mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    audit.record("accounts.mfa.remove", actor=user, obj=user, data={"type": authenticator.type})


@receiver(authentication_failed)
def _mfa_failed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    # A right password with a wrong second-factor code is a failed sign-in too.
    audit.record(
        "accounts.mfa.failed",
        actor=None,
        obj=user,
        data={"type": authenticator.type, "reauthentication": bool(kwargs.get("reauthentication"))},
    )
