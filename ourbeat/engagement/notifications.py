"""Telling people what happened to a priority: everyone who raised it (the proposer's
account, the reporters of the concerns and meeting items it came from) and everyone who
follows it, each once, in their language where known, with a link to the public priority
page (and, for followers, a link to stop following).

Who is told is derived from the priority's origins and followers when the news is sent, so
no address is ever copied into the engagement tables. This module is the only part of the
engagement app that reads ``concerns.Reporter``; addresses never leave it except as the
single recipient of that person's own message.

Delivery goes through channels (``CHANNELS``): e-mail now; a later channel (SMS, push) is a
class with a ``send(notices)`` method added to the list. Sending happens in a task enqueued
after the transaction commits (the immediate backend runs it at once), never inside it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_tasks import task

from ourbeat.accounts.models import User
from ourbeat.engagement.models import Action, Follower, Priority, PriorityOrigin, PriorityStatus

logger = logging.getLogger(__name__)

UNFOLLOW_SALT = "ourbeat.engagement.unfollow"
# How long a stop-following link in an e-mail keeps working.
UNFOLLOW_MAX_AGE = 60 * 60 * 24 * 400

EVENTS = {
    "published",
    "merged",
    "adopted",
    "active",
    "under_review",
    "resolved",
    "carried_over",
    "dropped",
    "action_added",
    "action_updated",
}


@dataclass
class Recipient:
    """One person to tell. ``follower_user_id`` is set for followers (they get a link to
    stop following)."""

    email: str
    language: str = ""
    user_id: int | None = None
    follower_user_id: int | None = None
    reasons: set[str] = field(default_factory=set)


@dataclass
class Notice:
    recipient: Recipient
    subject: str
    text: str
    html: str


class Channel(Protocol):
    name: str

    def send(self, notices: list[Notice]) -> int: ...


class EmailChannel:
    """One message per person (never several addresses in To or Cc), over one connection;
    a failure for one address does not stop the others."""

    name = "email"

    def send(self, notices: list[Notice]) -> int:
        sent = 0
        if not notices:
            return sent
        connection = get_connection()
        for notice in notices:
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
                logger.exception("priority news to one recipient failed")
        return sent


CHANNELS: list[Channel] = [EmailChannel()]


# ----------------------------------------------------------------------------- links


def unfollow_token(priority_id: int, user_id: int) -> str:
    return signing.dumps({"p": priority_id, "u": user_id}, salt=UNFOLLOW_SALT, compress=True)


def read_unfollow_token(token: str) -> tuple[int, int] | None:
    """The (priority id, user id) a stop-following link names, or None when forged or old."""
    try:
        data = signing.loads(token, salt=UNFOLLOW_SALT, max_age=UNFOLLOW_MAX_AGE)
        return int(data["p"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _absolute(path: str) -> str:
    return f"{settings.OURBEAT_SITE_URL.rstrip('/')}{path}"


def _priority_url(priority: Priority) -> str:
    try:
        return _absolute(priority.get_absolute_url())
    except NoReverseMatch:
        return _absolute(priority.area.get_absolute_url())


def _unfollow_url(priority: Priority, user_id: int) -> str:
    """The one-click-to-confirm stop link when the public site offers it, else the priority
    page, whose follow button turns following off."""
    try:
        return _absolute(
            reverse(
                "engagement:priority_unfollow",
                kwargs={"token": unfollow_token(priority.pk, user_id)},
            )
        )
    except NoReverseMatch:
        return _priority_url(priority) + "#follow-heading"


# ----------------------------------------------------------------------------- recipients


def supported_language(code: str) -> str:
    """``code`` if the site speaks it, else "" (unknown: the default language is used)."""
    return code if code in dict(settings.LANGUAGES) else ""


def recipients(priority: Priority, *, exclude_user_id: int | None = None) -> list[Recipient]:
    """Everyone to tell about ``priority``, each address once: those who raised it, then its
    followers. Reporters count only once their concern is confirmed (an unconfirmed
    address may not be theirs). Inactive accounts and ``exclude_user_id`` (whoever made the
    change) are left out."""
    from ourbeat.concerns.models import Reporter

    found: dict[str, Recipient] = {}
    excluded_email = ""
    if exclude_user_id is not None:
        excluded_email = (
            User.objects.filter(pk=exclude_user_id).values_list("email", flat=True).first() or ""
        ).lower()

    def add(email: str, *, language: str, user_id: int | None, reason: str) -> Recipient | None:
        email = (email or "").strip()
        key = email.lower()
        if not email or key == excluded_email:
            return None
        recipient = found.get(key)
        if recipient is None:
            recipient = found[key] = Recipient(email=email, user_id=user_id)
        if not recipient.language and supported_language(language):
            recipient.language = language
        if recipient.user_id is None:
            recipient.user_id = user_id
        recipient.reasons.add(reason)
        return recipient

    origins = list(
        PriorityOrigin.objects.filter(priority=priority).values(
            "user_id",
            "language",
            "concern_id",
            "meeting_item__concern_id",
            "proposal__proposed_by_id",
        )
    )
    candidates: set[int | None] = {o["user_id"] for o in origins}
    candidates |= {o["proposal__proposed_by_id"] for o in origins}
    candidates.add(priority.proposed_by_id)
    user_ids = {pk for pk in candidates if pk is not None}
    users = {
        u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True).only("pk", "email")
    }
    languages = {o["user_id"]: o["language"] for o in origins if o["user_id"]}
    for user_id in sorted(user_ids):
        user = users.get(user_id)
        if user is not None:
            add(user.email, language=languages.get(user_id, ""), user_id=user.pk, reason="raised")
    concern_ids = {o["concern_id"] for o in origins} | {
        o["meeting_item__concern_id"] for o in origins
    }
    concern_ids.discard(None)
    reporters = (
        Reporter.objects.filter(concern_id__in=concern_ids, concern__confirmed_at__isnull=False)
        .exclude(email="")
        .values_list("email", "user_id")
        .order_by("concern_id")
    )
    for email, user_id in reporters:
        add(email, language="", user_id=user_id, reason="raised")
    followers = Follower.objects.filter(priority=priority, user__is_active=True).values_list(
        "user_id", "user__email", "language"
    )
    for user_id, email, language in followers.order_by("created_at", "pk"):
        recipient = add(email, language=language, user_id=user_id, reason="follows")
        if recipient is not None:
            recipient.follower_user_id = user_id
    return list(found.values())


# ----------------------------------------------------------------------------- sending


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def compose(
    priority: Priority,
    event: str,
    status: str,
    action: Action | None,
    recipient: Recipient,
    *,
    merged_into: Priority | None = None,
) -> Notice:
    """One person's message. For a merged proposal (``merged_into`` set) the links lead to
    the priority it joined, which its people now hear about."""
    language = recipient.language or settings.LANGUAGE_CODE
    linked = merged_into or priority
    with translation.override(language):
        context = {
            "priority": priority,
            "event": event,
            "status": status,
            "status_label": (
                PriorityStatus(status).label if status in PriorityStatus.values else status
            ),
            "action": action,
            "merged_into": merged_into,
            "priority_url": _priority_url(linked),
            "unfollow_url": (
                _unfollow_url(linked, recipient.follower_user_id)
                if recipient.follower_user_id is not None
                else ""
            ),
            "follower": recipient.follower_user_id is not None,
            "raised": "raised" in recipient.reasons,
            "site_name": settings.OURBEAT_SITE_NAME,
            "language": language,
        }
        subject = _one_line(render_to_string("engagement/email/priority_subject.txt", context))
        context["subject"] = subject
        text = render_to_string("engagement/email/priority_body.txt", context)
        html = render_to_string("engagement/email/priority_body.html", context)
    return Notice(recipient=recipient, subject=subject[:200], text=text, html=html)


def send_priority_news(
    *,
    priority_id: int,
    event: str,
    status: str,
    action_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    """Tell everyone concerned about one change of a priority; returns how many messages
    left. Reads the rows afresh (it runs after the change committed)."""
    if event not in EVENTS:
        raise ValueError(f"unknown priority event {event!r}")
    priority = (
        Priority.objects.select_related("area", "adopted_at_meeting").filter(pk=priority_id).first()
    )
    if priority is None:
        return 0
    action = None
    if action_id is not None:
        action = (
            Action.objects.select_related("owner_organisation")
            .filter(pk=action_id, priority=priority)
            .first()
        )
    merged_into = None
    if event == "merged":
        # The proposal's origins were copied to the priority it joined; that origin names it.
        merged_into = (
            Priority.objects.select_related("area")
            .filter(origins__proposal_id=priority.pk)
            .exclude(pk=priority.pk)
            .first()
        )
        if merged_into is None:
            return 0
    people = recipients(priority, exclude_user_id=actor_id)
    notices = [
        compose(priority, event, status, action, person, merged_into=merged_into)
        for person in people
    ]
    return sum(channel.send(notices) for channel in CHANNELS)


@task()
def priority_news_task(
    priority_id: int,
    event: str,
    status: str,
    action_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    return send_priority_news(
        priority_id=priority_id, event=event, status=status, action_id=action_id, actor_id=actor_id
    )


def notify_after_commit(
    *,
    priority_id: int,
    event: str,
    status: str,
    action_id: int | None = None,
    actor_id: int | None = None,
) -> None:
    """Queue the news of one change to go out once the current transaction commits."""

    def enqueue() -> None:
        priority_news_task.enqueue(
            priority_id=priority_id,
            event=event,
            status=status,
            action_id=action_id,
            actor_id=actor_id,
        )

    transaction.on_commit(enqueue, robust=True)
