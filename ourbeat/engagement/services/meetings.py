"""Writes to forums and their meetings: forums and their members, scheduling, changing and
cancelling meetings, registrations, recording what happened (attendance, minutes) and what a
meeting heard or decided (items; a concern raised at a meeting is filed as a concern with the
channel "meeting").

Rules every function keeps:

- One short transaction with one audit event and ``area_touch`` for the forum's area, whose
  public page shows its meetings; a refusal is a ``ValidationError`` with a clear message
  (keyed by the form field it concerns) and changes nothing.
- A meeting needs a place (a venue or an address) or an online link; two meetings that are
  not cancelled may not overlap in one venue (venue names compared ignoring case and
  spacing, and only when both meetings have a physical place). The check and the write are
  serialised per venue (``_lock_venue``), so two people scheduling one room at once cannot
  both get it.
- Whoever registered hears, after the change commits, when a meeting is cancelled or moved
  (``meeting_notifications``); nothing is sent for a change that is refused or rolled back.
- Registration never overbooks: the meeting's row is locked (``SELECT … FOR UPDATE`` on
  PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers) before the places
  are counted, and one e-mail address registers once (a unique constraint backs the check).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ourbeat.core import audit
from ourbeat.core.text import clean_text
from ourbeat.engagement import meeting_notifications
from ourbeat.engagement.models import (
    Forum,
    ForumKind,
    ForumMember,
    Frequency,
    ItemKind,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MemberRole,
    Registration,
)
from ourbeat.engagement.notifications import supported_language
from ourbeat.places.models import Area, Organisation
from ourbeat.places.services import area_touch
from ourbeat.teams.schedule import RecurrenceError, normalise_rrule, parse_rrule

MAX_MEETING_LENGTH = timedelta(hours=24)
MAX_ATTENDANCE = 100_000
MAX_GROUPS = 20
MAX_GROUP_NAME = 60
# A meeting may be scheduled at most this far ahead (a typo in the year is caught).
MAX_AHEAD = timedelta(days=3 * 366)
# Co-chairs: one resident and one officer at a time.
SINGLE_ROLES = (MemberRole.RESIDENT_CO_CHAIR, MemberRole.OFFICER_CO_CHAIR)

_url = URLValidator(schemes=["http", "https"])


# ---- checks ----------------------------------------------------------------------------------


def _limit(model: type[Any], field: str) -> int:
    return int(model._meta.get_field(field).max_length or 200)


def venue_key(venue: str) -> str:
    """A venue's name for comparison: case, spacing and surrounding punctuation ignored."""
    return " ".join(venue.replace(",", " ").split()).casefold().strip(" .-")


def _place_key(meeting: Meeting) -> str:
    return venue_key(meeting.venue or meeting.address)


def _check_rrule(rrule: str) -> str:
    rrule = normalise_rrule(rrule or "")
    if len(rrule) > _limit(Forum, "rrule"):
        raise ValidationError({"rrule": _("The recurrence rule is too long.")})
    try:
        parse_rrule(rrule, timezone.now())
    except RecurrenceError as error:
        raise ValidationError({"rrule": str(error)}) from error
    return rrule


def _choice(value: str, choices: Any, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: message})
    return value


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    root = (slugify(base) or "forum")[:70].strip("-") or "forum"
    slug, n = root, 2
    others = Forum.objects.exclude(pk=exclude_pk) if exclude_pk else Forum.objects.all()
    while others.filter(slug=slug).exists():
        slug = f"{root}-{n}"
        n += 1
    return slug


def _check_slug(slug: str, *, exclude_pk: int | None = None) -> str:
    slug = (slug or "").strip()
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,80}", slug):
        raise ValidationError(
            {"slug": _("Use only letters, numbers, hyphens and underscores (at most 80).")}
        )
    others = Forum.objects.exclude(pk=exclude_pk) if exclude_pk else Forum.objects.all()
    if others.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Another forum already uses this identifier.")})
    return slug


# ---- forums ----------------------------------------------------------------------------------

FORUM_TEXT_FIELDS = {
    "description": 4000,
    "usual_venue": _limit(Forum, "usual_venue"),
    "usual_address": _limit(Forum, "usual_address"),
    "contact": _limit(Forum, "contact"),
}


def _forum_fields(
    *, kind: str, name: str, frequency: str, rrule: str, texts: dict[str, Any]
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": _choice(kind, ForumKind, "kind", _("Choose what kind of forum this is.")),
        "name": clean_text(
            name, field="name", limit=_limit(Forum, "name"), required=_("Name the forum.")
        ),
        "frequency": _choice(
            frequency, Frequency, "frequency", _("Choose how often the forum meets.")
        ),
        "rrule": _check_rrule(rrule),
    }
    for field, limit in FORUM_TEXT_FIELDS.items():
        fields[field] = clean_text(texts.get(field, ""), field=field, limit=limit)
    return fields


def forum_create(
    *,
    actor: Any,
    area: Area,
    organisation: Organisation,
    kind: str,
    name: str,
    slug: str = "",
    description: str = "",
    frequency: str,
    rrule: str = "",
    usual_venue: str = "",
    usual_address: str = "",
    contact: str = "",
    external_id: str | None = None,
) -> Forum:
    fields = _forum_fields(
        kind=kind,
        name=name,
        frequency=frequency,
        rrule=rrule,
        texts={
            "description": description,
            "usual_venue": usual_venue,
            "usual_address": usual_address,
            "contact": contact,
        },
    )
    fields["slug"] = _check_slug(slug) if slug.strip() else _unique_slug(fields["name"])
    with transaction.atomic():
        forum = Forum.objects.create(
            area=area, organisation=organisation, external_id=external_id or None, **fields
        )
        audit.record(
            "engagement.forum.create",
            actor=actor,
            obj=forum,
            data={"area": area.pk, "organisation": organisation.pk, **fields},
        )
        area_touch([area.pk])
    return forum


def forum_update(
    *,
    actor: Any,
    forum: Forum,
    kind: str,
    name: str,
    slug: str = "",
    description: str = "",
    frequency: str,
    rrule: str = "",
    usual_venue: str = "",
    usual_address: str = "",
    contact: str = "",
    active: bool = True,
) -> Forum:
    """Change a forum's details (every field named; its area and convenor stay)."""
    fields = _forum_fields(
        kind=kind,
        name=name,
        frequency=frequency,
        rrule=rrule,
        texts={
            "description": description,
            "usual_venue": usual_venue,
            "usual_address": usual_address,
            "contact": contact,
        },
    )
    fields["slug"] = _check_slug(slug, exclude_pk=forum.pk) if slug.strip() else forum.slug
    fields["active"] = bool(active)
    before = {name: getattr(forum, name) for name in fields}
    changed = {k: v for k, v in fields.items() if before[k] != v}
    with transaction.atomic():
        for field, value in fields.items():
            setattr(forum, field, value)
        forum.save()
        audit.record(
            "engagement.forum.update",
            actor=actor,
            obj=forum,
            data={"changed": {k: [before[k], v] for k, v in changed.items()}},
        )
        area_touch([forum.area_id])
    return forum


def forum_member_add(
    *,
    actor: Any,
    forum: Forum,
    name: str,
    role: str,
    represents: str = "",
    user: Any = None,
    public: bool = True,
) -> ForumMember:
    name = clean_text(
        name,
        field="name",
        limit=_limit(ForumMember, "name"),
        required=_("Give the member's name."),
    )
    role = _choice(role, MemberRole, "role", _("Choose the member's role."))
    represents = clean_text(represents, field="represents", limit=_limit(ForumMember, "represents"))
    with transaction.atomic():
        if role in SINGLE_ROLES and forum.members.filter(role=role, until__isnull=True).exists():
            raise ValidationError(
                {
                    "role": _("The forum already has a %(role)s; end that membership first.")
                    % {"role": MemberRole(role).label.lower()}
                }
            )
        member = ForumMember.objects.create(
            forum=forum,
            name=name,
            role=role,
            represents=represents,
            user=user,
            public=bool(public),
            since=timezone.localdate(),
        )
        audit.record(
            "engagement.forum_member.add",
            actor=actor,
            obj=forum,
            data={"member": member.pk, "role": role, "represents": represents, "public": public},
        )
        area_touch([forum.area_id])
    return member


def forum_member_end(*, actor: Any, member: ForumMember) -> ForumMember:
    if member.until is not None:
        raise ValidationError(_("This membership has already ended."))
    with transaction.atomic():
        member.until = max(timezone.localdate(), member.since)
        member.save(update_fields=["until"])
        audit.record(
            "engagement.forum_member.end",
            actor=actor,
            obj=member.forum,
            data={"member": member.pk, "role": member.role},
        )
        area_touch([member.forum.area_id])
    return member


# ---- meetings --------------------------------------------------------------------------------


def _meeting_fields(
    *,
    title: Any,
    starts_at: Any,
    ends_at: Any,
    venue: Any,
    address: Any,
    accessibility: Any,
    online_url: Any,
    agenda: Any,
    registration_required: Any,
    capacity: Any,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": clean_text(
            title, field="title", limit=_limit(Meeting, "title"), required=_("Give a title.")
        ),
        "venue": clean_text(venue, field="venue", limit=_limit(Meeting, "venue")),
        "address": clean_text(address, field="address", limit=_limit(Meeting, "address")),
        "accessibility": clean_text(
            accessibility, field="accessibility", limit=_limit(Meeting, "accessibility")
        ),
        "agenda": clean_text(agenda, field="agenda", limit=8000),
        "online_url": clean_text(
            online_url, field="online_url", limit=_limit(Meeting, "online_url")
        ),
        "registration_required": bool(registration_required),
    }
    if fields["online_url"]:
        try:
            _url(fields["online_url"])
        except ValidationError as error:
            raise ValidationError(
                {"online_url": _("Give the online link as a full http:// or https:// address.")}
            ) from error
    if not (fields["venue"] or fields["address"] or fields["online_url"]):
        raise ValidationError(
            {"venue": _("Give a venue, or an online link, or both.")}, code="no_place"
        )
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime):
            raise ValidationError({field: _("Give a date and time.")})
        if timezone.is_naive(value):
            raise ValidationError({field: _("Give a date and time with its time zone.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if ends_at - starts_at > MAX_MEETING_LENGTH:
        raise ValidationError({"ends_at": _("A meeting lasts at most a day.")})
    fields["starts_at"], fields["ends_at"] = starts_at, ends_at
    if capacity is not None and (
        isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1
    ):
        raise ValidationError({"capacity": _("The capacity is a whole number of at least 1.")})
    if capacity is not None and capacity > MAX_ATTENDANCE:
        raise ValidationError({"capacity": _("The capacity is too large.")})
    fields["capacity"] = capacity
    return fields


def _check_future(starts_at: datetime) -> None:
    now = timezone.now()
    if starts_at <= now:
        raise ValidationError(
            {"starts_at": _("The meeting would start in the past; choose a later time.")},
            code="past",
        )
    if starts_at > now + MAX_AHEAD:
        raise ValidationError(
            {"starts_at": _("A meeting can be scheduled at most three years ahead.")}
        )


def venue_lock_id(key: str) -> int:
    """A stable signed 64-bit number for a venue key (PostgreSQL's advisory lock ids are
    bigints): the first 8 bytes of a namespaced SHA-256, the same in every process."""
    digest = hashlib.sha256(f"ourbeat.engagement.venue:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock_venue(fields: dict[str, Any]) -> None:
    """Serialise, until the transaction ends, everyone who checks and then books this venue.

    ``_check_overlap`` reads and the caller then writes; without a lock two people booking
    one room at one time would both read "free" and both insert. On PostgreSQL a
    transaction-scoped advisory lock keyed by the venue makes the second wait until the
    first commits (or rolls back), and under READ COMMITTED its check then sees the first
    one's meeting. Different venues do not wait for each other.

    On SQLite nothing is needed: settings open every transaction with BEGIN IMMEDIATE, which
    takes the database's write lock before the check reads, so a second writer waits (up to
    the ``timeout``) until the first has committed and then reads its row. (Were the mode
    DEFERRED, the loser's insert would fail with "database is locked" rather than double-book:
    in WAL mode a reader may not upgrade to a writer once another has written since its
    snapshot.) Must be called inside ``transaction.atomic()``."""
    key = venue_key(fields["venue"] or fields["address"])
    if key and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [venue_lock_id(key)])


def _check_overlap(fields: dict[str, Any], *, exclude_pk: int | None = None) -> None:
    key = venue_key(fields["venue"] or fields["address"])
    if not key:
        return
    others = Meeting.objects.filter(
        starts_at__lt=fields["ends_at"], ends_at__gt=fields["starts_at"]
    ).exclude(status=MeetingStatus.CANCELLED)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for other in others.only("pk", "title", "venue", "address", "starts_at", "ends_at"):
        if _place_key(other) == key:
            start = timezone.localtime(other.starts_at)
            raise ValidationError(
                {
                    "starts_at": _("%(venue)s is taken then: %(title)s meets there from %(start)s.")
                    % {
                        "venue": fields["venue"] or fields["address"],
                        "title": other.title,
                        "start": start.strftime("%Y-%m-%d %H:%M"),
                    }
                },
                code="overlap",
            )


def _audit_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}


def meeting_schedule(
    *,
    actor: Any,
    forum: Forum,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    address: str = "",
    accessibility: str = "",
    online_url: str = "",
    agenda: str = "",
    registration_required: bool = False,
    capacity: int | None = None,
) -> Meeting:
    fields = _meeting_fields(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        address=address,
        accessibility=accessibility,
        online_url=online_url,
        agenda=agenda,
        registration_required=registration_required,
        capacity=capacity,
    )
    _check_future(fields["starts_at"])
    if not forum.active:
        raise ValidationError(_("This forum no longer meets; make it active first."))
    with transaction.atomic():
        # The venue's lock first, so the check below stays true until this one commits.
        _lock_venue(fields)
        _check_overlap(fields)
        meeting = Meeting.objects.create(forum=forum, **fields)
        audit.record(
            "engagement.meeting.schedule",
            actor=actor,
            obj=meeting,
            data={"forum": forum.pk, **_audit_fields(fields)},
        )
        area_touch([forum.area_id])
    return meeting


def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
    address: str = "",
    accessibility: str = "",
    online_url: str = "",
    agenda: str = "",
    registration_required: bool = False,
    capacity: int | None = None,
) -> Meeting:
    """Change a scheduled meeting that has not started (every field named)."""
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            _("Only a scheduled meeting can be changed; this one is %(status)s.")
            % {"status": meeting.get_status_display().lower()}
        )
    if meeting.starts_at <= timezone.now():
        raise ValidationError(
            _("This meeting has already started; record what happened at it instead.")
        )
    fields = _meeting_fields(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        address=address,
        accessibility=accessibility,
        online_url=online_url,
        agenda=agenda,
        registration_required=registration_required,
        capacity=capacity,
    )
    _check_future(fields["starts_at"])
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if fields["capacity"] is not None:
            booked = locked.registrations.count()
            if booked > fields["capacity"]:
                raise ValidationError(
                    {
                        "capacity": _(
                            "%(count)d people have registered already; the capacity cannot be "
                            "lower than that."
                        )
                        % {"count": booked}
                    }
                )
        # The (new) venue's lock before the check, as in ``meeting_schedule``; moving out of a
        # venue only frees it, so the old one needs none. The meeting's row is locked first
        # everywhere, so the two locks are always taken in the same order.
        _lock_venue(fields)
        _check_overlap(fields, exclude_pk=meeting.pk)
        before = _audit_fields({k: getattr(locked, k) for k in fields})
        for field, value in fields.items():
            setattr(meeting, field, value)
        meeting.save()
        after = _audit_fields(fields)
        audit.record(
            "engagement.meeting.update",
            actor=actor,
            obj=meeting,
            data={"changed": {k: [before[k], after[k]] for k in after if before[k] != after[k]}},
        )
        area_touch([meeting.forum.area_id])
        # Registrants hear only of what they rely on to get there; values are compared as
        # they are (one instant written in two time zones is no change), sent as text.
        relied_on = meeting_notifications.RELIED_ON
        if any(getattr(locked, k) != fields[k] for k in relied_on) and (
            locked.registrations.exists()
        ):
            meeting_notifications.notify_after_commit(
                meeting_id=meeting.pk,
                event=meeting_notifications.MOVED,
                before={k: before[k] for k in relied_on},
                after={k: after[k] for k in relied_on},
            )
    return meeting


def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    reason = clean_text(
        reason,
        field="reason",
        limit=_limit(Meeting, "cancel_reason"),
        required=_("Say why the meeting is cancelled; the public sees the reason."),
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            _("Only a scheduled meeting can be cancelled; this one is %(status)s.")
            % {"status": meeting.get_status_display().lower()}
        )
    with transaction.atomic():
        updated = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).update(
            status=MeetingStatus.CANCELLED, cancel_reason=reason, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("Someone else changed this meeting meanwhile."))
        meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
        audit.record("engagement.meeting.cancel", actor=actor, obj=meeting, data={"reason": reason})
        area_touch([meeting.forum.area_id])
        if meeting.registrations.exists():
            meeting_notifications.notify_after_commit(
                meeting_id=meeting.pk, event=meeting_notifications.CANCELLED
            )
    return meeting


def places_left(meeting: Meeting) -> int | None:
    """Free places at a meeting with a capacity (None: no limit)."""
    if meeting.capacity is None:
        return None
    return max(0, meeting.capacity - meeting.registrations.count())


def meeting_register(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    user: Any = None,
    needs: str = "",
    language: str = "",
) -> Registration:
    """Book a place. Refused when the meeting takes no registrations, is cancelled, held or
    has started, is full, or the address is registered already. ``language`` is the one the
    person registered in (kept when the site speaks it): news of the meeting is sent in it."""
    name = clean_text(
        name,
        field="name",
        limit=_limit(Registration, "name"),
        required=_("Give your name."),
    )
    needs = clean_text(needs, field="needs", limit=_limit(Registration, "needs"))
    email = (email or "").strip() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": _("Give a valid e-mail address.")}) from error
    if len(email) > 254:
        raise ValidationError({"email": _("Give a valid e-mail address.")})
    email = email.lower()
    signed_in = bool(getattr(user, "is_authenticated", False))
    try:
        with transaction.atomic():
            # The lock serialises registrations for this meeting, so the count below stays
            # true until this transaction commits.
            locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
            if not locked.registration_required:
                raise ValidationError(
                    _("This meeting needs no registration: everyone is welcome to come.")
                )
            if locked.status != MeetingStatus.SCHEDULED:
                raise ValidationError(
                    _("This meeting is %(status)s and takes no registrations.")
                    % {"status": locked.get_status_display().lower()}
                )
            if locked.starts_at <= timezone.now():
                raise ValidationError(_("Registration has closed: the meeting has started."))
            same = Q(email=email) | Q(user=user) if signed_in else Q(email=email)
            if Registration.objects.filter(same, meeting=locked).exists():
                raise ValidationError(_("You are already registered for this meeting."))
            if locked.capacity is not None and locked.registrations.count() >= locked.capacity:
                raise ValidationError(_("Sorry, this meeting is full."), code="full")
            registration = Registration.objects.create(
                meeting=locked,
                name=name,
                email=email,
                needs=needs,
                user=user if signed_in else None,
                language=supported_language(language if isinstance(language, str) else ""),
            )
            # Who registered stays private: the event names the registration, not the person.
            audit.record(
                "engagement.meeting.register",
                actor=user if signed_in else None,
                obj=locked,
                data={"registration": registration.pk, "needs_given": bool(needs)},
            )
            area_touch([meeting.forum.area_id])
    except IntegrityError as error:
        raise ValidationError(_("You are already registered for this meeting.")) from error
    return registration


def _check_groups(groups: Any, attendance: int) -> dict[str, int]:
    if groups is None:
        return {}
    if not isinstance(groups, dict):
        raise ValidationError({"attendance_by_group": _("Give the counts as group: number.")})
    if len(groups) > MAX_GROUPS:
        raise ValidationError(
            {"attendance_by_group": _("Give at most %(n)d groups.") % {"n": MAX_GROUPS}}
        )
    clean: dict[str, int] = {}
    for raw_name, count in groups.items():
        name = clean_text(raw_name, field="attendance_by_group", limit=MAX_GROUP_NAME)
        if not name:
            raise ValidationError({"attendance_by_group": _("Name every group.")})
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationError(
                {
                    "attendance_by_group": _("The count for %(group)s must be a whole number.")
                    % {"group": name}
                }
            )
        if count:
            clean[name] = clean.get(name, 0) + count
    total = sum(clean.values())
    if total > attendance:
        raise ValidationError(
            {
                "attendance_by_group": _(
                    "The groups add up to %(total)d, more than the %(attendance)d people who "
                    "attended."
                )
                % {"total": total, "attendance": attendance}
            }
        )
    return clean


def meeting_record(
    *,
    actor: Any,
    meeting: Meeting,
    attendance: int,
    attendance_by_group: dict[str, int] | None = None,
    minutes: str = "",
    publish_minutes: bool = True,
) -> Meeting:
    """Record what happened: the meeting is held, with its attendance (and, voluntarily, by
    group) and minutes. Recording again corrects the record."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; there is nothing to record."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            _("This meeting has not started yet; record it once it has taken place.")
        )
    if isinstance(attendance, bool) or not isinstance(attendance, int) or attendance < 0:
        raise ValidationError({"attendance": _("Give the attendance as a whole number.")})
    if attendance > MAX_ATTENDANCE:
        raise ValidationError({"attendance": _("The attendance is too large.")})
    groups = _check_groups(attendance_by_group, attendance)
    minutes = clean_text(minutes, field="minutes", limit=50000)
    now = timezone.now()
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == MeetingStatus.CANCELLED:
            raise ValidationError(_("This meeting was cancelled; there is nothing to record."))
        most = max((v.in_favour + v.against + v.abstained for v in locked.votes.all()), default=0)
        if attendance < most:
            raise ValidationError(
                {
                    "attendance": _(
                        "A vote at this meeting counted %(count)d people; the attendance "
                        "cannot be lower."
                    )
                    % {"count": most}
                }
            )
        first = locked.status != MeetingStatus.HELD
        meeting.status = MeetingStatus.HELD
        meeting.attendance = attendance
        meeting.attendance_by_group = groups
        meeting.minutes = minutes
        if minutes and publish_minutes:
            meeting.minutes_published_at = locked.minutes_published_at or now
        else:
            meeting.minutes_published_at = None
        meeting.cancel_reason = ""
        meeting.save(
            update_fields=[
                "status",
                "attendance",
                "attendance_by_group",
                "minutes",
                "minutes_published_at",
                "cancel_reason",
                "updated_at",
            ]
        )
        audit.record(
            "engagement.meeting.record" if first else "engagement.meeting.correct",
            actor=actor,
            obj=meeting,
            data={
                "attendance": attendance,
                "attendance_by_group": groups,
                "minutes_published": meeting.minutes_published_at is not None,
                "minutes_length": len(minutes),
            },
        )
        area_touch([meeting.forum.area_id])
    return meeting


def meeting_item_add(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    text: str,
    category: Any = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> MeetingItem:
    """Record what a meeting heard or decided. A concern raised is also filed as a concern
    (channel "meeting", the staff member as its reporter), at the given point or, without
    one, at the forum area's representative point, so it is routed and answered like any
    other."""
    from ourbeat.concerns.models import Category, Channel
    from ourbeat.concerns.services import concern_submit

    kind = _choice(kind, ItemKind, "kind", _("Choose what kind of item this is."))
    text = clean_text(
        text, field="text", limit=4000, required=_("Write what was raised or decided.")
    )
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; it heard nothing."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            _("This meeting has not started yet; add items once it has taken place.")
        )
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both the latitude and the longitude.")})
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise ValidationError({"latitude": _("That is not a point on the map.")})
    if kind == ItemKind.CONCERN:
        if not isinstance(category, Category):
            raise ValidationError({"category": _("Choose the category of the concern.")})
    elif category is not None or latitude is not None:
        raise ValidationError({"category": _("Only a concern has a category and a place.")})
    with transaction.atomic():
        concern = None
        if kind == ItemKind.CONCERN:
            area = meeting.forum.area
            submitted = concern_submit(
                category=category,
                latitude=area.centre_lat if latitude is None else latitude,
                longitude=area.centre_lng if longitude is None else longitude,
                description=text,
                channel=Channel.MEETING,
                user=actor,
                confirmed=True,
                audit_data={"meeting": meeting.pk},
            )
            concern = submitted.concern
        order = (meeting.items.aggregate(m=Max("order"))["m"] or 0) + 1
        item = MeetingItem.objects.create(
            meeting=meeting, kind=kind, text=text, concern=concern, order=order
        )
        audit.record(
            "engagement.meeting_item.add",
            actor=actor,
            obj=meeting,
            data={
                "item": item.pk,
                "kind": kind,
                "concern": concern.reference if concern is not None else None,
            },
        )
        area_touch([meeting.forum.area_id])
    return item
