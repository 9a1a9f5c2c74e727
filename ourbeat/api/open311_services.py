"""Writes made through Open311: issuing client keys, filing requests and receiving residents'
updates. Each is one transaction with an audit event; the concern itself is written by the
concerns app's services."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from ourbeat.api.models import Open311Client, Open311UpdateReceipt
from ourbeat.concerns.models import Category, Channel, Concern, Update
from ourbeat.concerns.services import concern_reply_received, concern_submit
from ourbeat.core import audit
from ourbeat.core.memo import ProcessMemo
from ourbeat.places.models import Organisation


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Issued:
    client: Open311Client
    key: str  # shown once; only its digest is stored


def open311_client_issue(
    *, name: str, actor: Any = None, organisation: Organisation | None = None
) -> Issued:
    """Register a client application and issue its api_key."""
    key = secrets.token_urlsafe(30)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=name.strip(),
            organisation=organisation,
            key_prefix=key[:8],
            key_hash=key_digest(key),
        )
        audit.record(
            "api.open311_client.issue",
            actor=actor,
            obj=client,
            data={"name": client.name, "organisation": getattr(organisation, "slug", None)},
        )
    return Issued(client, key)


def open311_client_set_active(*, client: Open311Client, active: bool, actor: Any = None) -> None:
    """Switch a client's key on or off: at once in this process, within ``MEMO_SECONDS`` in
    the other workers (``open311_client_for_key`` keeps clients that long)."""
    with transaction.atomic():
        Open311Client.objects.filter(pk=client.pk).update(active=active)
        client.active = active
        audit.record(
            "api.open311_client.activate" if active else "api.open311_client.deactivate",
            actor=actor,
            obj=client,
        )
    _clients.clear()


# Active clients by key digest, per worker (``core.memo``).
_clients: ProcessMemo[str, Open311Client | None] = ProcessMemo(Open311Client, Organisation)


def open311_client_for_key(key: str) -> Open311Client | None:
    """The active client holding ``key``, or None."""
    if not key:
        return None
    digest = key_digest(key)
    return _clients.get(
        digest, lambda: Open311Client.objects.filter(key_hash=digest, active=True).first()
    )


def open311_request_submit(
    *,
    client: Open311Client,
    category: Category,
    latitude: float,
    longitude: float,
    description: str,
    answers: dict[str, Any],
    reporter_name: str,
    reporter_email: str,
    reporter_phone: str,
    location_text: str = "",
    media_url: str = "",
    idempotency_key: str | None = None,
) -> tuple[Concern, bool]:
    """File a concern for a client application. The application vouches for its user (it
    holds a key an administrator issued), so the concern is filed confirmed; it is published
    only after moderation, like every concern. One audit event records it, with the client
    in its data. ``media_url`` is kept as text with the answers (never fetched)."""
    if media_url:
        answers = {**answers, "media_url": media_url}
    submitted = concern_submit(
        category=category,
        latitude=latitude,
        longitude=longitude,
        description=description,
        channel=Channel.OPEN311,
        location_text=location_text,
        answers=answers,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        reporter_phone=reporter_phone,
        idempotency_key=f"open311:{client.pk}:{idempotency_key}" if idempotency_key else None,
        confirmed=True,
        audit_data={"client": client.name},
    )
    return submitted.concern, submitted.created


def open311_update_submit(
    *,
    client: Open311Client,
    concern: Concern,
    client_update_id: str,
    text: str,
    author_label: str,
) -> Update:
    """A resident's update posted by a client application joins the concern's thread as a
    reply for the handling staff (never published). The client's ``update_id`` makes a
    retried post return the first update."""
    existing = Open311UpdateReceipt.objects.filter(
        client=client, client_update_id=client_update_id
    ).first()
    if existing is not None:
        return existing.update
    try:
        with transaction.atomic():
            update = concern_reply_received(
                concern=concern, text=text, author_label=author_label, via=f"open311:{client.name}"
            )
            Open311UpdateReceipt.objects.create(
                client=client, client_update_id=client_update_id, update=update
            )
    except IntegrityError:
        receipt = Open311UpdateReceipt.objects.filter(
            client=client, client_update_id=client_update_id
        ).first()
        if receipt is None:
            raise
        return receipt.update
    return update
