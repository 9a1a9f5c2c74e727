"""E-mail to the resident who raised a concern. Sent after the transaction commits (never
inside it), addressed from the reporter record, which only this module and staff read."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ourbeat.concerns.models import Concern, Update


def _absolute(path: str) -> str:
    return f"{settings.OURBEAT_SITE_URL.rstrip('/')}{path}"


def send_confirmation(concern: Concern, token: str, language: str | None = None) -> None:
    """Ask a signed-out reporter to confirm their concern (the link carries their token)."""
    reporter = concern.reporter
    if not reporter.email:
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "concern": concern,
            "confirm_url": _absolute(reverse("concerns:confirm", kwargs={"token": token})),
            "site_name": settings.OURBEAT_SITE_NAME,
        }
        subject = render_to_string("concerns/email/confirm_subject.txt", context).strip()
        body = render_to_string("concerns/email/confirm_body.txt", context)
    send_mail(subject, body, None, [reporter.email])


def notify_public_update(update: Update) -> None:
    """Tell the reporter about a public update of their concern."""
    concern = update.concern
    reporter = getattr(concern, "reporter", None)
    if reporter is None or not reporter.email or not update.public:
        return
    context = {
        "concern": concern,
        "update": update,
        "concern_url": _absolute(concern.get_absolute_url()),
        "site_name": settings.OURBEAT_SITE_NAME,
    }
    subject = render_to_string("concerns/email/update_subject.txt", context).strip()
    body = render_to_string("concerns/email/update_body.txt", context)
    send_mail(subject, body, None, [reporter.email])
