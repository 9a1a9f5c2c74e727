"""Writes to teams: profiles, contact points and their occurrences, commitments, and the
delivered-visibility log. Each is one transaction with an audit event, and each bumps the
content version of the areas whose public page it changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ourbeat.core import audit
from ourbeat.core.images import photo_reencode
from ourbeat.places.models import Area, AreaLevel
from ourbeat.places.services import area_touch
from ourbeat.teams.models import (
    ContactPoint,
    OccurrenceChange,
    OfficerProfile,
    VisibilityCommitment,
    VisibilityLog,
)
from ourbeat.teams.schedule import RecurrenceError, normalise_rrule, occurrences, parse_rrule


def _profile_areas(profile: OfficerProfile) -> list[int]:
    return list(profile.assignments.values_list("area_id", flat=True))


def profile_update(
    *,
    profile: OfficerProfile,
    actor: Any,
    name: str,
    rank: str,
    bio: str,
    languages: list[str],
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
) -> OfficerProfile:
    photo_file = photo_reencode(photo) if photo is not None else None
    with transaction.atomic():
        before = {"name": profile.name, "rank": profile.rank, "bio": profile.bio}
        profile.name, profile.rank, profile.bio = name, rank, bio
        profile.languages = languages
        if remove_photo and profile.photo:
            profile.photo.delete(save=False)
        if photo_file is not None:
            profile.photo.save(f"profile-{profile.pk}.jpg", photo_file, save=False)
        profile.save()
        audit.record(
            "teams.profile.update",
            actor=actor,
            obj=profile,
            data={"before": before, "languages": languages, "photo_changed": photo is not None},
        )
        area_touch(_profile_areas(profile))
    return profile


def _check_rrule(rrule: str, starts_at: datetime) -> None:
    try:
        parse_rrule(rrule, starts_at)
    except RecurrenceError as error:
        raise ValidationError({"rrule": str(error)}) from error


def contact_point_save(
    *, contact_point: ContactPoint, actor: Any, fields: dict[str, Any]
) -> ContactPoint:
    """Create (unsaved instance) or update a contact point from cleaned form fields."""
    creating = contact_point.pk is None
    for name, value in fields.items():
        setattr(contact_point, name, value)
    contact_point.rrule = normalise_rrule(contact_point.rrule or "")
    _check_rrule(contact_point.rrule, contact_point.starts_at)
    contact_point.full_clean()
    with transaction.atomic():
        contact_point.save()
        audit.record(
            "teams.contact_point.create" if creating else "teams.contact_point.update",
            actor=actor,
            obj=contact_point,
            data={k: str(v) for k, v in fields.items()},
        )
        area_touch([contact_point.area_id])
    return contact_point


def occurrence_change(
    *,
    contact_point: ContactPoint,
    actor: Any,
    original_start: datetime,
    status: str,
    reason: str,
    new_start: datetime | None = None,
    new_venue: str = "",
) -> OccurrenceChange:
    """Cancel or move one occurrence; a second change to the same occurrence replaces the
    first (the audit log keeps both)."""
    found = (
        any(
            o.original_start == original_start
            for o in occurrences(
                contact_point,
                original_start - timedelta(minutes=1),
                original_start + timedelta(minutes=1),
            )
        )
        or contact_point.changes.filter(original_start=original_start).exists()
    )
    if not found:
        raise ValidationError(_("This contact point has no occurrence at that time."))
    if status == OccurrenceChange.Status.MOVED and new_start is None:
        raise ValidationError({"new_start": _("Give the new start time of the moved occurrence.")})
    with transaction.atomic():
        change, _created = OccurrenceChange.objects.update_or_create(
            contact_point=contact_point,
            original_start=original_start,
            defaults={
                "status": status,
                "reason": reason,
                "new_start": new_start if status == OccurrenceChange.Status.MOVED else None,
                "new_venue": new_venue if status == OccurrenceChange.Status.MOVED else "",
            },
        )
        audit.record(
            f"teams.occurrence.{status}",
            actor=actor,
            obj=contact_point,
            data={
                "original_start": original_start.isoformat(),
                "new_start": new_start.isoformat() if new_start else None,
                "new_venue": new_venue,
                "reason": reason,
            },
        )
        area_touch([contact_point.area_id])
    return change


def occurrence_restore(
    *, contact_point: ContactPoint, actor: Any, original_start: datetime
) -> None:
    with transaction.atomic():
        deleted, _rows = contact_point.changes.filter(original_start=original_start).delete()
        if deleted:
            audit.record(
                "teams.occurrence.restore",
                actor=actor,
                obj=contact_point,
                data={"original_start": original_start.isoformat()},
            )
            area_touch([contact_point.area_id])


def commitments_set(*, area: Area, actor: Any, targets: dict[str, Decimal | None]) -> None:
    """Publish the monthly targets of an area; a metric set to None is withdrawn."""
    with transaction.atomic():
        before = {c.metric: str(c.monthly_target) for c in area.commitments.all()}
        for metric, target in targets.items():
            if target is None:
                VisibilityCommitment.objects.filter(area=area, metric=metric).delete()
            else:
                VisibilityCommitment.objects.update_or_create(
                    area=area, metric=metric, defaults={"monthly_target": target}
                )
        audit.record(
            "teams.commitments.set",
            actor=actor,
            obj=area,
            data={
                "before": before,
                "after": {k: str(v) if v is not None else None for k, v in targets.items()},
            },
        )
        area_touch([area.pk])


def visibility_log_add(
    *, area: Area, actor: Any, day: date, metric: str, amount: Decimal, note: str = ""
) -> VisibilityLog:
    if area.level != AreaLevel.NEIGHBOURHOOD:
        # Monthly totals are published per neighbourhood; a district's log would count twice.
        raise ValidationError(_("Delivered visibility is logged for a neighbourhood."))
    if day > timezone.localdate():
        raise ValidationError({"day": _("Delivered visibility cannot be logged in advance.")})
    entry = VisibilityLog(
        area=area, logged_by=actor, day=day, metric=metric, amount=amount, note=note
    )
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        audit.record(
            "teams.visibility.log",
            actor=actor,
            obj=entry,
            data={"area": area.pk, "day": day.isoformat(), "metric": metric, "amount": str(amount)},
        )
        area_touch([area.pk])
    return entry
