"""Telling the people registered for a meeting that it was cancelled or moved: each of them
one e-mail, addressed to them alone, in the language they registered in, after the change
commits (a change that is refused or rolled back sends nothing).

- cancelled: the meeting, its date, the published reason and a link to the forum's page;
- moved: only when something a registrant relies on to get there changed (``RELIED_ON``:
  the times, the venue, the address, the online link, the accessibility notes), what it
  was and what it is now, with a link to the meeting's page. A new title or agenda is no
  news.

Registrants' addresses are read from ``Registration`` when the news is sent and go nowhere
but into that person's own message: not into the task's arguments, the audit log or the
logs. The old details travel in the task's arguments because no row keeps them; they are
the meeting's public details, never anyone's personal data.

Built on ``notifications`` (its ``Recipient``/``Notice`` and language rules); sending is a
task enqueued on commit (the immediate backend runs it at once), never inside the
transaction.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_tasks import task

from ourbeat.engagement.models import Meeting, MeetingStatus, Registration
from ourbeat.engagement.notifications import Notice, Recipient, supported_language

logger = logging.getLogger(__name__)

CANCELLED = "cancelled"
MOVED = "moved"
EVENTS = {CANCELLED, MOVED}

# What a registrant relies on to be there: a change to any of these is news; to anything
# else (title, agenda, capacity, registration) it is not.
RELIED_ON = ("starts_at", "ends_at", "venue", "address", "online_url", "accessibility")
TIMES = ("starts_at", "ends_at")
PLACES = ("venue", "address", "online_url", "accessibility")

DAY = "j E Y"
TIME = "H:i"
NOTHING = "—"


# ----------------------------------------------------------------------------- wording


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _absolute(path: str) -> str:
    return f"{settings.OURBEAT_SITE_URL.rstrip('/')}{path}"


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _span(starts: Any, ends: Any) -> str:
    """A meeting's time, such as "4 December 2026, 19:00–20:30", in the active language and
    the site's time zone."""
    start, end = _moment(starts), _moment(ends)
    if start is None:
        return NOTHING
    start = timezone.localtime(start)
    text = date_format(start, f"{DAY}, {TIME}")
    if end is None:
        return text
    end = timezone.localtime(end)
    if end.date() == start.date():
        return f"{text}–{date_format(end, TIME)}"
    return f"{text} – {date_format(end, f'{DAY}, {TIME}')}"


def _label(name: str) -> str:
    """A meeting field's name as the staff forms and the public page show it, translated."""
    field = Meeting._meta.get_field(name)
    return str(capfirst(getattr(field, "verbose_name", name)))


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """What changed that a registrant relies on, as label, was and now, in the active
    language: the times as one row, then each place detail that differs."""
    rows: list[dict[str, str]] = []
    if any(_moment(before.get(k)) != _moment(after.get(k)) for k in TIMES):
        rows.append(
            {
                "field": "when",
                "label": _("When"),
                "before": _span(before.get("starts_at"), before.get("ends_at")),
                "after": _span(after.get("starts_at"), after.get("ends_at")),
            }
        )
    for name in PLACES:
        old, new = before.get(name) or "", after.get(name) or ""
        if old != new:
            rows.append(
                {
                    "field": name,
                    "label": _label(name),
                    "before": old or NOTHING,
                    "after": new or NOTHING,
                }
            )
    return rows


# ----------------------------------------------------------------------------- sending


def compose(
    meeting: Meeting,
    event: str,
    recipient: Recipient,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Notice | None:
    """One person's message, in their language; None when a move changed nothing they rely
    on."""
    language = recipient.language or settings.LANGUAGE_CODE
    with translation.override(language):
        rows = changes(before or {}, after or {}) if event == MOVED else []
        if event == MOVED and not rows:
            return None
        starts = timezone.localtime(meeting.starts_at)
        context = {
            "meeting": meeting,
            "forum": meeting.forum,
            "event": event,
            "date": date_format(starts, DAY),
            "when": _span(meeting.starts_at, meeting.ends_at),
            "changes": rows,
            "forum_url": _absolute(meeting.forum.get_absolute_url()),
            "meeting_url": _absolute(meeting.get_absolute_url()),
            "site_name": settings.OURBEAT_SITE_NAME,
            "language": language,
        }
        name = f"engagement/email/meeting_{event}"
        subject = _one_line(render_to_string(f"{name}_subject.txt", context))
        context["subject"] = subject
        text = render_to_string(f"{name}_body.txt", context)
        html = render_to_string(f"{name}_body.html", context)
    return Notice(recipient=recipient, subject=subject[:200], text=text, html=html)


def deliver(notices: list[tuple[int, Notice]]) -> int:
    """Send each (registration id, notice) on its own, over one connection; a failure for one
    address is logged (by registration, never by address) and does not stop the others."""
    sent = 0
    if not notices:
        return sent
    connection = get_connection()
    for registration_id, notice in notices:
        message = EmailMultiAlternatives(
            subject=notice.subject,
            body=notice.text,
            to=[notice.recipient.email],
            connection=connection,
        )
        message.attach_alternative(notice.html, "text/html")
        try:
            sent += message.send()
        except Exception:  # one bad address or a refused message must not stop the rest
            logger.exception("meeting news to registration %s failed", registration_id)
    return sent


def send_meeting_news(
    *,
    meeting_id: int,
    event: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    """Tell everyone registered for a meeting of one change; returns how many messages left.
    Reads the rows afresh (it runs after the change committed). News of a move is dropped
    once the meeting is no longer scheduled (its cancellation is the news then)."""
    if event not in EVENTS:
        raise ValueError(f"unknown meeting event {event!r}")
    meeting = Meeting.objects.select_related("forum").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    expected = MeetingStatus.CANCELLED if event == CANCELLED else MeetingStatus.SCHEDULED
    if meeting.status != expected:
        return 0
    registrations = (
        Registration.objects.filter(meeting=meeting)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", "email", "language", "user_id")
    )
    notices: list[tuple[int, Notice]] = []
    for pk, email, language, user_id in registrations:
        recipient = Recipient(email=email, language=supported_language(language), user_id=user_id)
        notice = compose(meeting, event, recipient, before=before, after=after)
        if notice is not None:
            notices.append((pk, notice))
    return deliver(notices)


@task()
def meeting_news_task(
    meeting_id: int,
    event: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    return send_meeting_news(meeting_id=meeting_id, event=event, before=before, after=after)


def notify_after_commit(
    *,
    meeting_id: int,
    event: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Queue the news of one change to go out once the current transaction commits.
    ``before``/``after`` (for a move) hold the meeting's public details as text (datetimes
    in ISO 8601), never anyone's address."""
    if event not in EVENTS:
        raise ValueError(f"unknown meeting event {event!r}")

    def enqueue() -> None:
        meeting_news_task.enqueue(meeting_id=meeting_id, event=event, before=before, after=after)

    transaction.on_commit(enqueue, robust=True)
