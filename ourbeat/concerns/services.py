"""Writes to concerns. Every function is one short transaction with an audit event; photo
re-encoding happens before it and e-mail after it commits (never inside)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import h3
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ourbeat.concerns.models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Concern,
    Photo,
    Rating,
    Referral,
    Reporter,
    RoutingRule,
    Status,
    Update,
    UpdateKind,
)
from ourbeat.concerns.notifications import notify_public_update
from ourbeat.concerns.selectors import commitment_due_dates
from ourbeat.core import audit
from ourbeat.core.images import photo_reencode
from ourbeat.core.memo import ProcessMemo
from ourbeat.core.text import CONTROL, mask_personal_details
from ourbeat.places.models import Area, Organisation
from ourbeat.places.selectors import locate_neighbourhood
from ourbeat.places.services import area_touch

MAX_PHOTOS = 3
MAX_DESCRIPTION = 5000


def _has_control_characters(value: Any) -> bool:
    if isinstance(value, str):
        return bool(CONTROL.search(value))
    if isinstance(value, dict):
        return any(
            _has_control_characters(k) or _has_control_characters(v) for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return any(_has_control_characters(v) for v in value)
    return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# A category's routing rules (by area id, None for anywhere) and its owner, per worker.
_routes: ProcessMemo[int, tuple[dict[int | None, Organisation], Organisation]] = ProcessMemo(
    RoutingRule, Category, Organisation
)


def _routing(category: Category) -> tuple[dict[int | None, Organisation], Organisation]:
    rules = RoutingRule.objects.filter(category=category).select_related("responsible")
    owner = Organisation.objects.get(pk=category.organisation_id)
    return {rule.area_id: rule.responsible for rule in rules}, owner


def route(category: Category, area: Area) -> Organisation:
    """The responsible organisation: the rule of the most specific area containing the
    concern's neighbourhood, else the category's rule for anywhere, else its owner. The
    rules are read once per worker and kept for a few seconds (``core.memo``)."""
    rules, owner = _routes.get(category.pk, lambda: _routing(category))
    for ancestor_id in reversed([int(part) for part in area.path.strip("/").split("/") if part]):
        if ancestor_id in rules:
            return rules[ancestor_id]
    return rules.get(None) or owner


def public_cell(category: Category, latitude: float, longitude: float) -> int | None:
    """Where the public may see the concern: an H3 cell, never the point; nowhere for a
    sensitive category."""
    if category.sensitive:
        return None
    return int(h3.str_to_int(h3.latlng_to_cell(latitude, longitude, category.public_resolution)))


def _reference(area: Area, pk: int) -> str:
    """A short public reference such as MIL-26-000042; derived from the primary key so that
    concurrent submissions can never draw the same number."""
    year = timezone.localdate().strftime("%y")
    return f"{area.organisation.slug[:3].upper()}-{year}-{pk:06d}"


_REFERENCE_SQL = f"UPDATE {Concern._meta.db_table} SET reference = %s WHERE id = %s"  # noqa: S608
_REPORTER_SQL = (
    f"INSERT INTO {Reporter._meta.db_table} "  # noqa: S608 (constants)
    "(concern_id, user_id, name, email, phone, show_name, token_hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


@dataclass
class Submitted:
    concern: Concern
    created: bool
    token: str  # the reporter's secret for the confirm/reply/rate links ("" on a replay)


def concern_submit(
    *,
    category: Category,
    latitude: float,
    longitude: float,
    description: str,
    channel: str = Channel.WEB,
    location_text: str = "",
    answers: dict[str, Any] | None = None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    show_name: bool = False,
    photos: list[UploadedFile] | None = None,
    user: Any = None,
    idempotency_key: str | None = None,
    confirmed: bool = False,
    audit_data: dict[str, Any] | None = None,
) -> Submitted:
    """File a concern. A signed-in resident's concern is confirmed at once, and so is one
    filed with ``confirmed`` (a client application that vouches for its user); a signed-out
    one waits for the e-mailed link. The same ``idempotency_key`` returns the first concern
    instead of filing a second (a client retrying after a timeout). ``audit_data`` adds to
    the submit event's data (such as the client application).

    Every read (the neighbourhood, the route, the public cell) comes before the transaction,
    so that the write lock is held only for the inserts and the audit chain's step."""
    if idempotency_key:
        existing = Concern.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return Submitted(existing, False, "")
    if not category.active:
        raise ValidationError({"category": _("This category is not open for reports.")})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the concern.")})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": _("Describe the concern in at most 5000 characters.")}
        )
    texts = {
        "description": description,
        "location_text": location_text,
        "reporter_name": reporter_name,
        "reporter_email": reporter_email,
        "reporter_phone": reporter_phone,
        "answers": answers or {},
    }
    for field, value in texts.items():
        if _has_control_characters(value):
            raise ValidationError({field: _("Remove the control characters from the text.")})
    area = locate_neighbourhood(latitude, longitude)
    if area is None:
        raise ValidationError({"location": _("That place is outside the neighbourhoods we serve.")})
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Attach at most 3 photos.")})
    images = [photo_reencode(photo, max_side=1600) for photo in photos]
    signed_in = bool(getattr(user, "is_authenticated", False))
    if not signed_in and not reporter_email:
        raise ValidationError(
            {"reporter_email": _("Give an e-mail address so that we can confirm the report.")}
        )
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    concern = Concern(
        reference=f"pending-{secrets.token_hex(6)}",
        category=category,
        area=area,
        responsible=route(category, area),
        latitude=latitude,
        longitude=longitude,
        public_cell=public_cell(category, latitude, longitude),
        location_text=location_text.strip(),
        description=description,
        answers=answers or {},
        channel=channel,
        confirmed_at=now if signed_in or confirmed else None,
        idempotency_key=idempotency_key or None,
        created_at=now,
        **commitment_due_dates(category, now),
    )
    reporter_row = [
        user.pk if signed_in else None,
        reporter_name.strip(),
        reporter_email.strip() or getattr(user, "email", ""),
        reporter_phone.strip(),
        show_name,
        token_hash(token),
    ]
    try:
        with transaction.atomic():
            concern.save(force_insert=True)
            concern.reference = _reference(area, concern.pk)
            # On SQLite the write lock is held from here to the commit, and every submission
            # waits for it: the reference and the reporter are written as plain statements,
            # which cost a tenth of the same through the ORM (docs/performance.md, (c)).
            with connection.cursor() as cursor:
                cursor.execute(_REFERENCE_SQL, [concern.reference, concern.pk])
                cursor.execute(_REPORTER_SQL, [concern.pk, *reporter_row])
            for image in images:
                Photo.objects.create(concern=concern, image=image)
            audit.record(
                "concerns.concern.submit",
                actor=user,
                obj=concern,
                data={
                    "category": category.code,
                    "area": area.pk,
                    "channel": channel,
                    **(audit_data or {}),
                },
            )
    except IntegrityError:
        # Two retries raced on the same key: the first one's concern is the answer.
        if idempotency_key:
            existing = Concern.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return Submitted(existing, False, "")
        raise
    return Submitted(concern, True, token)


def reporter_for_token(token: str) -> Reporter | None:
    if not token:
        return None
    return (
        Reporter.objects.select_related("concern", "concern__category")
        .filter(token_hash=token_hash(token))
        .first()
    )


def concern_confirm(*, token: str) -> Concern:
    reporter = reporter_for_token(token)
    if reporter is None:
        raise ValidationError(_("This link is not valid."))
    concern = reporter.concern
    if concern.confirmed_at is None:
        with transaction.atomic():
            Concern.objects.filter(pk=concern.pk, confirmed_at__isnull=True).update(
                confirmed_at=timezone.now()
            )
            audit.record("concerns.concern.confirm", actor=None, obj=concern)
        concern.refresh_from_db()
    return concern


def concern_publish(*, concern: Concern, actor: Any, text: str | None = None) -> Concern:
    """Moderate and publish: the published text has personal details masked; the original
    stays in the audit log."""
    if concern.confirmed_at is None:
        raise ValidationError(_("The reporter has not confirmed this concern yet."))
    source = concern.description if text is None else text
    with transaction.atomic():
        before = concern.public_text
        concern.public_text = mask_personal_details(source.strip())
        concern.published_at = concern.published_at or timezone.now()
        concern.hidden = False
        concern.save(update_fields=["public_text", "published_at", "hidden", "updated_at"])
        concern.photos.update(public=True)
        area_touch([concern.area_id])
        audit.record(
            "concerns.concern.publish",
            actor=actor,
            obj=concern,
            data={
                "original": concern.description,
                "before": before,
                "published": concern.public_text,
            },
        )
    return concern


def concern_hide(*, concern: Concern, actor: Any, reason: str) -> None:
    """Take a report off the public side (publishing it again brings it back)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is hidden.")})
    with transaction.atomic():
        Concern.objects.filter(pk=concern.pk).update(hidden=True, updated_at=timezone.now())
        concern.hidden = True
        area_touch([concern.area_id])
        audit.record(
            "concerns.concern.hide",
            actor=actor,
            obj=concern,
            data={"reason": reason, "published": concern.public_text},
        )


def concern_support(*, concern: Concern) -> None:
    """A resident adds their voice to an open concern instead of filing a duplicate."""
    if not concern.is_public or not concern.is_open:
        raise ValidationError(_("Only open, published concerns can be supported."))
    with transaction.atomic():
        Concern.objects.filter(pk=concern.pk).update(supporters=F("supporters") + 1)
        audit.record("concerns.concern.support", actor=None, obj=concern)


def _add_update(
    concern: Concern,
    *,
    kind: str,
    actor: Any,
    text: str = "",
    status: str = "",
    public: bool,
    mask: bool = True,
) -> Update:
    """One entry of the thread; public text written by people is masked (``mask=False`` for
    the system's own words, whose concern references would read as telephone numbers)."""
    return Update.objects.create(
        concern=concern,
        kind=kind,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        author_label=str(actor) if getattr(actor, "is_authenticated", False) else "",
        status=status,
        text=mask_personal_details(text) if public and mask else text,
        public=public,
        created_at=timezone.now(),
    )


def _notify_after_commit(update: Update) -> None:
    """E-mail the reporter about a public update once the transaction has committed (never
    inside it); a failing mail server is logged and does not undo the update."""
    if update.public:
        transaction.on_commit(lambda: notify_public_update(update), robust=True)


def _first_response(concern: Concern, update: Update) -> None:
    """The first public word from staff meets the first-response commitment (once)."""
    if concern.first_responded_at is None:
        Concern.objects.filter(pk=concern.pk, first_responded_at__isnull=True).update(
            first_responded_at=update.created_at
        )
        concern.first_responded_at = update.created_at


def concern_set_status(
    *, concern: Concern, actor: Any, status: str, text: str = "", note: str = ""
) -> Update:
    """Move the concern along its lifecycle with a public message to the resident."""
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == Status.NOT_POLICE_MATTER and not note.strip():
        raise ValidationError({"note": _("Say where the resident should go instead.")})
    if status == concern.status:
        raise ValidationError({"status": _("The concern already has that status.")})
    with transaction.atomic():
        before = concern.status
        concern.status = status
        concern.status_note = note.strip()
        concern.save(update_fields=["status", "status_note", "updated_at"])
        update = _add_update(
            concern, kind=UpdateKind.STATUS, actor=actor, text=text, status=status, public=True
        )
        _first_response(concern, update)
        audit.record(
            "concerns.concern.status",
            actor=actor,
            obj=concern,
            data={"from": before, "to": status, "text": text, "note": note},
        )
        area_touch([concern.area_id])
        _notify_after_commit(update)
    return update


def concern_respond(*, concern: Concern, actor: Any, text: str) -> Update:
    if not text.strip():
        raise ValidationError({"text": _("Write the response.")})
    with transaction.atomic():
        update = _add_update(concern, kind=UpdateKind.RESPONSE, actor=actor, text=text, public=True)
        Concern.objects.filter(pk=concern.pk).update(updated_at=update.created_at)
        _first_response(concern, update)
        audit.record("concerns.concern.respond", actor=actor, obj=concern, data={"text": text})
        area_touch([concern.area_id])
        _notify_after_commit(update)
    return update


def concern_note(*, concern: Concern, actor: Any, text: str) -> Update:
    """An internal note: never leaves the staff side."""
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    with transaction.atomic():
        update = _add_update(concern, kind=UpdateKind.NOTE, actor=actor, text=text, public=False)
        audit.record("concerns.concern.note", actor=actor, obj=concern)
    return update


def concern_reply(*, token: str, text: str) -> Update:
    """The resident answers through their e-mailed link; the reply joins the thread for the
    handling staff."""
    reporter = reporter_for_token(token)
    if reporter is None:
        raise ValidationError(_("This link is not valid."))
    if not text.strip():
        raise ValidationError({"text": _("Write your reply.")})
    with transaction.atomic():
        update = _add_update(
            reporter.concern, kind=UpdateKind.REPLY, actor=None, text=text, public=False
        )
        audit.record("concerns.concern.reply", actor=None, obj=reporter.concern)
    return update


def concern_rate(
    *, token: str, resolved: bool, satisfied: int, respectful: bool, comment: str = ""
) -> Rating:
    reporter = reporter_for_token(token)
    if reporter is None:
        raise ValidationError(_("This link is not valid."))
    concern = reporter.concern
    if concern.status in OPEN_STATUSES:
        raise ValidationError(_("You can rate the response once the concern is closed."))
    if hasattr(concern, "rating"):
        raise ValidationError(_("This concern has been rated already."))
    rating = Rating(
        concern=concern,
        resolved=resolved,
        satisfied=satisfied,
        respectful=respectful,
        comment=comment,
    )
    rating.full_clean()
    with transaction.atomic():
        rating.save()
        audit.record(
            "concerns.concern.rate",
            actor=None,
            obj=concern,
            data={"resolved": resolved, "satisfied": satisfied, "respectful": respectful},
        )
    return rating


def concern_assign(*, concerns: list[Concern], actor: Any, assignee: Any) -> int:
    """Assign concerns to a member of staff of the responsible organisation (None: unassign)."""
    if not concerns:
        raise ValidationError({"concerns": _("Choose at least one concern.")})
    if assignee is not None:
        from ourbeat.core.permissions import CONCERN_HANDLER_ROLES

        organisations = set(
            assignee.memberships.filter(role__in=CONCERN_HANDLER_ROLES).values_list(
                "organisation_id", flat=True
            )
        )
        if any(c.responsible_id not in organisations for c in concerns):
            raise ValidationError(
                {"assignee": _("Assign concerns only to staff of the responsible organisation.")}
            )
    with transaction.atomic():
        count = Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(assigned_to=assignee)
        audit.record(
            "concerns.concern.assign",
            actor=actor,
            data={"concerns": [c.pk for c in concerns], "assignee": getattr(assignee, "pk", None)},
        )
    return count


def concern_change_category(*, concern: Concern, actor: Any, category: Category, note: str) -> None:
    """Re-categorise and re-route, telling the resident why."""
    if category.pk == concern.category_id:
        raise ValidationError({"category": _("The concern is already in that category.")})
    if not note.strip():
        raise ValidationError({"note": _("Tell the resident why the category changes.")})
    with transaction.atomic():
        before = (concern.category.code, concern.responsible_id)
        concern.category = category
        concern.responsible = route(category, concern.area)
        concern.public_cell = public_cell(category, concern.latitude, concern.longitude)
        due = commitment_due_dates(category, concern.created_at)
        for name, value in due.items():
            setattr(concern, name, value)
        concern.save(update_fields=["category", "responsible", "public_cell", *due, "updated_at"])
        update = _add_update(concern, kind=UpdateKind.RESPONSE, actor=actor, text=note, public=True)
        _first_response(concern, update)
        audit.record(
            "concerns.concern.recategorise",
            actor=actor,
            obj=concern,
            data={
                "from": before[0],
                "to": category.code,
                "responsible_before": before[1],
                "note": note,
            },
        )
        area_touch([concern.area_id])
        _notify_after_commit(update)


def concern_mark_duplicate(*, concern: Concern, actor: Any, original: Concern) -> None:
    """Merge into ``original`` (or the concern it was itself merged into): the duplicate is
    closed with a public update that tells its reporter where the concern is handled, and its
    own duplicates move along. The staff page of the original shows the merged threads."""
    while original.duplicate_of_id is not None and original.duplicate_of_id != concern.pk:
        original = Concern.objects.get(pk=original.duplicate_of_id)
    if original.pk == concern.pk or original.duplicate_of_id == concern.pk:
        raise ValidationError(_("A concern cannot be a duplicate of itself."))
    if concern.status == Status.DUPLICATE:
        raise ValidationError(_("This concern is already marked as a duplicate."))
    with transaction.atomic():
        concern.duplicate_of = original
        concern.status = Status.DUPLICATE
        concern.save(update_fields=["duplicate_of", "status", "updated_at"])
        Concern.objects.filter(duplicate_of=concern).update(duplicate_of=original)
        Concern.objects.filter(pk=original.pk).update(
            supporters=F("supporters") + 1 + concern.supporters
        )
        update = _add_update(
            concern,
            kind=UpdateKind.STATUS,
            actor=actor,
            status=Status.DUPLICATE,
            text=_("This concern is being handled as %(reference)s.")
            % {"reference": original.reference},
            public=True,
            mask=False,
        )
        audit.record(
            "concerns.concern.duplicate",
            actor=actor,
            obj=concern,
            data={"original": original.reference},
        )
        area_touch([concern.area_id, original.area_id])
        _notify_after_commit(update)


def concern_refer(*, concern: Concern, actor: Any, to: Organisation, note: str) -> Referral:
    """Pass the concern to another organisation; the sender keeps read access."""
    if to.pk == concern.responsible_id:
        raise ValidationError({"organisation": _("The concern is already with that organisation.")})
    with transaction.atomic():
        referral = Referral.objects.create(
            concern=concern, from_organisation=concern.responsible, to_organisation=to, note=note
        )
        concern.responsible = to
        concern.save(update_fields=["responsible", "updated_at"])
        update = _add_update(
            concern,
            kind=UpdateKind.REFERRAL,
            actor=actor,
            text=_("Passed to %(organisation)s.") % {"organisation": to.name},
            public=True,
            mask=False,
        )
        audit.record(
            "concerns.concern.refer", actor=actor, obj=concern, data={"to": to.slug, "note": note}
        )
        _notify_after_commit(update)
    return referral


def concern_reporter_view(*, concern: Concern, actor: Any) -> Reporter:
    """Show the reporter's identity to a member of the handling staff, recording who looked."""
    reporter = Reporter.objects.get(concern=concern)
    with transaction.atomic():
        audit.record(
            "concerns.reporter.view",
            actor=actor,
            obj=concern,
            data={"viewer": getattr(actor, "email", "")},
        )
    return reporter


def update_hide(*, update: Update, actor: Any, reason: str) -> None:
    """Take a public update off the public side; the audit log keeps its text."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the update is hidden.")})
    with transaction.atomic():
        Update.objects.filter(pk=update.pk).update(hidden=True)
        update.hidden = True
        area_touch([update.concern.area_id])
        audit.record(
            "concerns.update.hide",
            actor=actor,
            obj=update.concern,
            data={"update": update.pk, "reason": reason, "text": update.text},
        )


def update_edit(*, update: Update, actor: Any, text: str) -> Update:
    """Correct a public update; personal details are masked and the original stays in the
    audit log."""
    if not update.public:
        raise ValidationError(_("Only public updates are moderated."))
    if not text.strip():
        raise ValidationError({"text": _("Write the update.")})
    with transaction.atomic():
        original = update.text
        update.text = mask_personal_details(text.strip())
        update.save(update_fields=["text"])
        area_touch([update.concern.area_id])
        audit.record(
            "concerns.update.edit",
            actor=actor,
            obj=update.concern,
            data={"update": update.pk, "original": original, "edited": update.text},
        )
    return update


def concern_reply_received(*, concern: Concern, text: str, author_label: str, via: str) -> Update:
    """A resident's reply that reached us through a client application (Open311's POST
    servicerequestupdates): it joins the thread for the handling staff, never published."""
    if not text.strip():
        raise ValidationError({"description": _("Write your reply.")})
    with transaction.atomic():
        update = Update.objects.create(
            concern=concern,
            kind=UpdateKind.REPLY,
            author_label=author_label.strip()[:150],
            text=text.strip(),
            public=False,
            created_at=timezone.now(),
        )
        audit.record("concerns.concern.reply", actor=None, obj=concern, data={"via": via})
    return update
