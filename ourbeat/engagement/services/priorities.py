"""Writes to neighbourhood priorities: proposals and their support, votes online and at
meetings, adoption within the neighbourhood's limit, the lifecycle, provenance, followers,
and the actions taken under a priority.

Rules every function keeps:

- One short transaction with one audit event; ``area_touch`` for the neighbourhood whose
  public page changes; a refusal is a ``ValidationError`` with a clear message and changes
  nothing.
- Versioned writes: a change names the ``version`` it saw and is written as
  ``UPDATE … WHERE version = expected``, so the second of two concurrent edits is refused
  ("someone else changed this priority") instead of silently overwriting the first.
- The limit of live priorities per neighbourhood (``settings.OURBEAT_MAX_ACTIVE_PRIORITIES``)
  holds under concurrency: adoption locks the neighbourhood's ``Area`` row
  (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every transaction is IMMEDIATE and so
  already serialised) before counting.
- Votes are one per verified account and question (``Vote``), or counts recorded at a held
  meeting never exceeding its recorded attendance (``MeetingVote``); support without an
  account is a separate counter. The two are never added together.
- Only the community resolves a priority: a carried ``MeetingVote`` on the question
  "resolved", or an online majority of at least ``ONLINE_RESOLUTION_QUORUM`` verified
  residents voting on that question while the priority is under review.
- Every state change and action change tells the people who raised the priority and its
  followers, by e-mail after the transaction commits (``ourbeat.engagement.notifications``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ourbeat.accounts.models import Membership, Role
from ourbeat.core import audit
from ourbeat.core.permissions import manages_priority, updates_action
from ourbeat.core.text import clean_text, mask_personal_details
from ourbeat.engagement import notifications
from ourbeat.engagement.models import (
    CLOSED_PRIORITY_STATUSES,
    LIVE_PRIORITY_STATUSES,
    Action,
    ActionStatus,
    Follower,
    Forum,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MeetingVote,
    OriginKind,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    Question,
    Vote,
)
from ourbeat.engagement.selectors import has_verified_email
from ourbeat.places.models import Area, AreaLevel, Organisation, OrganisationKind
from ourbeat.places.services import area_touch

# An online verdict that a priority is resolved needs at least this many verified residents
# voting on the question, and more of them in favour than against. A meeting's carried vote
# needs no quorum: its count is bounded by the recorded attendance instead.
ONLINE_RESOLUTION_QUORUM = 5

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_REASON = 2000
MAX_OUTCOME = 8000
MAX_RESULT = 4000
MAX_SUMMARY = 300
MAX_SURVEY_ANSWER = 100

# The lifecycle. Adoption (proposed → adopted) has its own function, which checks the limit.
# A priority under review leaves it only closed: resolved (by the community's vote), carried
# over into a new priority, or dropped; so any vote on "resolved" was cast in this review.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    PriorityStatus.PROPOSED: (PriorityStatus.DROPPED,),
    PriorityStatus.ADOPTED: (PriorityStatus.ACTIVE, PriorityStatus.DROPPED),
    PriorityStatus.ACTIVE: (
        PriorityStatus.UNDER_REVIEW,
        PriorityStatus.CARRIED_OVER,
        PriorityStatus.DROPPED,
    ),
    PriorityStatus.UNDER_REVIEW: (
        PriorityStatus.RESOLVED,
        PriorityStatus.CARRIED_OVER,
        PriorityStatus.DROPPED,
    ),
}
# Which question a vote may be taken on in which state.
VOTING_STATUS: dict[str, str] = {
    Question.ADOPT: PriorityStatus.PROPOSED,
    Question.RESOLVED: PriorityStatus.UNDER_REVIEW,
}


def _stale_priority() -> ValidationError:
    return ValidationError(
        _("Someone else changed this priority meanwhile; reload the page and try again."),
        code="stale",
    )


def _stale_action() -> ValidationError:
    return ValidationError(
        _("Someone else changed this action meanwhile; reload the page and try again."),
        code="stale",
    )


def _language() -> str:
    return notifications.supported_language((get_language() or "").split("-")[0])


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _status_label(status: str) -> str:
    return str(PriorityStatus(status).label)


def _forum_covers(forum: Forum, area: Area) -> bool:
    return area.path.startswith(forum.area.path) if forum.area.path else forum.area_id == area.pk


def _notify(priority: Priority, event: str, *, actor: Any, action: Action | None = None) -> None:
    notifications.notify_after_commit(
        priority_id=priority.pk,
        event=event,
        status=priority.status,
        action_id=action.pk if action is not None else None,
        actor_id=actor.pk if _signed_in(actor) else None,
    )


# ----------------------------------------------------------------------------- proposals


def _proposal_text(title: str, description: str) -> tuple[str, str]:
    """A proposal's title and description, checked, with personal details masked."""
    title = clean_text(
        title,
        field="title",
        limit=MAX_TITLE,
        required=_("Say in a few words what the priority is."),
    )
    description = clean_text(description, field="description", limit=MAX_DESCRIPTION)
    return mask_personal_details(title), mask_personal_details(description)


def priority_propose(
    *,
    area: Area,
    title: str,
    description: str = "",
    user: Any = None,
    actor: Any = None,
    origin_concern: Any = None,
    origin_meeting_item: MeetingItem | None = None,
) -> Priority:
    """Propose a priority for a neighbourhood. A resident proposes with their own verified
    account (``user``); staff (``actor``) may propose on behalf of a concern or of something
    raised at a meeting. The proposal is its own first origin, so its proposer hears of
    every change. Personal details in the text are masked; a resident's proposal is
    published once a moderator has read it (``priority_publish``), a staff one at once."""
    if area.level != AreaLevel.NEIGHBOURHOOD:
        raise ValidationError({"area": _("Priorities are set for a neighbourhood.")})
    title, description = _proposal_text(title, description)
    if not _signed_in(user) and not _signed_in(actor):
        raise ValidationError(_("Sign in to propose a priority."))
    if _signed_in(user) and not _signed_in(actor) and not has_verified_email(user):
        raise ValidationError(_("Confirm your e-mail address before proposing a priority."))
    if origin_concern is not None and origin_concern.area_id != area.pk:
        raise ValidationError({"concern": _("That concern was raised in another neighbourhood.")})
    if origin_meeting_item is not None and not _forum_covers(
        origin_meeting_item.meeting.forum, area
    ):
        raise ValidationError(
            {"meeting_item": _("That meeting's forum does not cover this neighbourhood.")}
        )
    open_statuses = (PriorityStatus.PROPOSED, *LIVE_PRIORITY_STATUSES)
    same = list(
        Priority.objects.filter(area=area, status__in=open_statuses, title__iexact=title)
        .order_by(F("published_at").asc(nulls_last=True))  # a published one first
        .values_list("published_at", flat=True)[:1]
    )
    if same and same[0] is not None:
        raise ValidationError(
            {"title": _("This has already been proposed here: support it instead.")}
        )
    if same:
        raise ValidationError(
            {"title": _("The same proposal is already waiting for a moderator here.")}
        )
    language = _language()
    with transaction.atomic():
        priority = Priority.objects.create(
            area=area,
            title=title,
            description=description,
            proposed_by=user if _signed_in(user) else None,
            published_at=timezone.now() if _signed_in(actor) else None,
        )
        PriorityOrigin.objects.create(
            priority=priority,
            kind=OriginKind.PROPOSAL,
            proposal=priority,
            user=user if _signed_in(user) else None,
            summary=title[:MAX_SUMMARY],
            language=language if _signed_in(user) else "",
        )
        if origin_concern is not None:
            PriorityOrigin.objects.create(
                priority=priority,
                kind=OriginKind.CONCERN,
                concern=origin_concern,
                summary=origin_concern.reference,
            )
        if origin_meeting_item is not None:
            PriorityOrigin.objects.create(
                priority=priority,
                kind=OriginKind.MEETING_ITEM,
                meeting_item=origin_meeting_item,
                summary=origin_meeting_item.text[:MAX_SUMMARY],
            )
            if origin_meeting_item.priority_id is None:
                MeetingItem.objects.filter(pk=origin_meeting_item.pk).update(priority=priority)
        audit.record(
            "engagement.priority.propose",
            actor=actor if _signed_in(actor) else user,
            obj=priority,
            data={
                "area": area.pk,
                "on_behalf": _signed_in(actor),
                "concern": origin_concern.pk if origin_concern is not None else None,
                "meeting_item": origin_meeting_item.pk if origin_meeting_item else None,
            },
        )
        area_touch([area.pk])
    return priority


def _check_published(priority: Priority) -> None:
    if priority.published_at is None:
        raise ValidationError(
            _("This proposal is waiting for a moderator; it can be supported once published."),
            code="unpublished",
        )


def priority_publish(
    *,
    actor: Any,
    priority: Priority,
    expected_version: int,
    title: str | None = None,
    description: str | None = None,
) -> Priority:
    """A moderator publishes a resident's proposal, with the text as read (personal details
    masked) or as edited; an edit keeps the original in the audit log. The proposer is told.
    To refuse a proposal, drop it with a reason instead (the proposer hears why)."""
    with transaction.atomic():
        current = Priority.objects.select_for_update().get(pk=priority.pk)
        if current.version != expected_version:
            raise _stale_priority()
        if current.published_at is not None:
            raise ValidationError(_("This proposal is published already."), code="published")
        if current.status != PriorityStatus.PROPOSED:
            raise ValidationError(
                _("Only an open proposal can be published; this one is %(status)s.")
                % {"status": _status_label(current.status).lower()}
            )
        new_title, new_description = _proposal_text(
            current.title if title is None else title,
            current.description if description is None else description,
        )
        now = timezone.now()
        Priority.objects.filter(pk=current.pk, version=expected_version).update(
            title=new_title,
            description=new_description,
            published_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
        edited = (new_title, new_description) != (current.title, current.description)
        if edited:
            PriorityOrigin.objects.filter(priority=current, proposal=current).update(
                summary=new_title[:MAX_SUMMARY]
            )
        audit.record(
            "engagement.priority.publish",
            actor=actor,
            obj=current,
            data={
                "edited": edited,
                **(
                    {"original": {"title": current.title, "description": current.description}}
                    if edited
                    else {}
                ),
            },
        )
        area_touch([current.area_id])
        current.refresh_from_db()
        _notify(current, "published", actor=actor)
    return current


def priority_support(*, priority: Priority, user: Any = None) -> Vote | None:
    """Support a proposal. A verified account casts one vote in favour of adopting it; a
    visitor without an account adds to the separate count of anonymous support (the public
    view rate-limits that). Returns the vote, or None for anonymous support."""
    _check_published(priority)
    if _signed_in(user):
        if not has_verified_email(user):
            raise ValidationError(
                _("Confirm your e-mail address to support proposals with your account.")
            )
        return _cast_vote(
            priority=priority,
            user=user,
            question=Question.ADOPT,
            in_favour=True,
            action="engagement.priority.support",
        )
    with transaction.atomic():
        updated = Priority.objects.filter(
            pk=priority.pk, status=PriorityStatus.PROPOSED, published_at__isnull=False
        ).update(anonymous_support=F("anonymous_support") + 1)
        if not updated:
            raise ValidationError(_("Only proposals can be supported; this one is decided."))
        audit.record(
            "engagement.priority.support", actor=None, obj=priority, data={"anonymous": True}
        )
        area_touch([priority.area_id])
    priority.anonymous_support += 1
    return None


def priority_vote(*, priority: Priority, user: Any, question: str, in_favour: bool) -> Vote:
    """A verified resident's vote online: on adopting a proposal, or, while the priority is
    under review, on whether it is resolved. One per person and question."""
    if not _signed_in(user):
        raise ValidationError(_("Sign in to vote."))
    if not has_verified_email(user):
        raise ValidationError(_("Confirm your e-mail address before voting."))
    if question not in Question.values:
        raise ValidationError({"question": _("Choose what the vote is about.")})
    if not isinstance(in_favour, bool):
        raise ValidationError({"in_favour": _("Vote for or against.")})
    return _cast_vote(
        priority=priority,
        user=user,
        question=question,
        in_favour=in_favour,
        action="engagement.priority.vote",
    )


def _cast_vote(
    *, priority: Priority, user: Any, question: str, in_favour: bool, action: str
) -> Vote:
    try:
        with transaction.atomic():
            current = Priority.objects.select_for_update().get(pk=priority.pk)
            _check_published(current)
            if current.status != VOTING_STATUS[Question(question)]:
                raise ValidationError(
                    _("Voting on this is closed: the priority is %(status)s.")
                    % {"status": _status_label(current.status).lower()}
                )
            if Vote.objects.filter(priority=current, question=question, user=user).exists():
                raise ValidationError(_("You have already voted on this."))
            vote = Vote.objects.create(
                priority=current, question=question, user=user, in_favour=in_favour
            )
            # The ballot stays out of the log: only that a vote was cast on which question.
            audit.record(action, actor=user, obj=current, data={"question": question})
            area_touch([current.area_id])
    except IntegrityError as error:
        # A second request of the same person won the race to the unique constraint.
        raise ValidationError(_("You have already voted on this.")) from error
    return vote


def meeting_vote_record(
    *,
    actor: Any,
    meeting: Meeting,
    priority: Priority,
    question: str,
    in_favour: int,
    against: int,
    abstained: int = 0,
) -> MeetingVote:
    """Record the counts of a vote taken at a held meeting: never more votes than the
    people recorded there, one record per meeting, priority and question."""
    if question not in Question.values:
        raise ValidationError({"question": _("Choose what the vote was about.")})
    counts = {"in_favour": in_favour, "against": against, "abstained": abstained}
    for field, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError({field: _("Enter a whole number, 0 or more.")})
    total = in_favour + against + abstained
    if total == 0:
        raise ValidationError(_("Record at least one vote."))
    with transaction.atomic():
        meeting = Meeting.objects.select_related("forum__area").get(pk=meeting.pk)
        current = Priority.objects.select_for_update().select_related("area").get(pk=priority.pk)
        if meeting.status != MeetingStatus.HELD or meeting.attendance is None:
            raise ValidationError(
                _("Record the meeting as held, with its attendance, before its votes.")
            )
        if not _forum_covers(meeting.forum, current.area):
            raise ValidationError(
                _("This meeting's forum does not cover the priority's neighbourhood.")
            )
        if current.status != VOTING_STATUS[Question(question)]:
            raise ValidationError(
                _("Voting on this is closed: the priority is %(status)s.")
                % {"status": _status_label(current.status).lower()}
            )
        if total > meeting.attendance:
            raise ValidationError(
                _(
                    "%(total)d votes are more than the %(attendance)d people recorded at the "
                    "meeting."
                )
                % {"total": total, "attendance": meeting.attendance}
            )
        if MeetingVote.objects.filter(
            meeting=meeting, priority=current, question=question
        ).exists():
            raise ValidationError(_("This meeting's vote on this question is already recorded."))
        try:
            with transaction.atomic():
                vote = MeetingVote.objects.create(
                    meeting=meeting, priority=current, question=question, **counts
                )
        except IntegrityError as error:
            raise ValidationError(
                _("This meeting's vote on this question is already recorded.")
            ) from error
        audit.record(
            "engagement.meeting_vote.record",
            actor=actor,
            obj=current,
            data={"meeting": meeting.pk, "question": question, **counts},
        )
        area_touch([current.area_id])
    return vote


def community_confirms_resolved(priority: Priority) -> bool:
    """True when the community has confirmed the priority resolved: a carried vote at a
    meeting, or an online majority of at least ``ONLINE_RESOLUTION_QUORUM`` verified votes."""
    votes = MeetingVote.objects.filter(priority=priority, question=Question.RESOLVED)
    if any(vote.carried for vote in votes):
        return True
    online = Vote.objects.filter(priority=priority, question=Question.RESOLVED)
    in_favour = online.filter(in_favour=True).count()
    against = online.filter(in_favour=False).count()
    return in_favour + against >= ONLINE_RESOLUTION_QUORUM and in_favour > against


# ----------------------------------------------------------------------------- lifecycle


def live_priority_count(area: Area) -> int:
    return Priority.objects.filter(area=area, status__in=LIVE_PRIORITY_STATUSES).count()


def priority_adopt(
    *,
    actor: Any,
    priority: Priority,
    expected_version: int,
    meeting: Meeting | None = None,
    forum: Forum | None = None,
) -> Priority:
    """The forum adopts a proposal, at a held meeting or by its own decision. Refused
    beyond the neighbourhood's limit of live priorities, or when the version is stale."""
    limit = settings.OURBEAT_MAX_ACTIVE_PRIORITIES
    with transaction.atomic():
        # Serialise adoptions in this neighbourhood: whoever holds the row counts and adopts.
        area = Area.objects.select_for_update().get(pk=priority.area_id)
        current = Priority.objects.select_for_update().get(pk=priority.pk)
        if current.version != expected_version:
            raise _stale_priority()
        if current.status != PriorityStatus.PROPOSED:
            raise ValidationError(
                _("Only a proposal can be adopted; this priority is %(status)s.")
                % {"status": _status_label(current.status).lower()}
            )
        if meeting is not None:
            meeting = Meeting.objects.select_related("forum__area").get(pk=meeting.pk)
            if forum is not None and forum.pk != meeting.forum_id:
                raise ValidationError({"forum": _("That meeting belongs to another forum.")})
            if meeting.status != MeetingStatus.HELD:
                raise ValidationError(
                    {"meeting": _("A priority is adopted at a meeting that has been held.")}
                )
            forum = meeting.forum
        if forum is not None:
            forum = Forum.objects.select_related("area").get(pk=forum.pk)
            if not _forum_covers(forum, area):
                raise ValidationError({"forum": _("That forum does not cover this neighbourhood.")})
        live = live_priority_count(area)
        if live >= limit:
            raise ValidationError(
                _(
                    "%(area)s already has %(live)d live priorities, the most allowed "
                    "(%(limit)d). Resolve, carry over or drop one first."
                )
                % {"area": area.name, "live": live, "limit": limit},
                code="limit",
            )
        now = timezone.now()
        updated = Priority.objects.filter(
            pk=current.pk, version=expected_version, status=PriorityStatus.PROPOSED
        ).update(
            status=PriorityStatus.ADOPTED,
            adopted_at=now,
            adopted_at_meeting=meeting,
            forum=forum if forum is not None else current.forum,
            # Adopting is a moderator's reading too: the forum publishes what it adopts.
            published_at=current.published_at or now,
            version=F("version") + 1,
            updated_at=now,
        )
        if not updated:
            raise _stale_priority()
        current.refresh_from_db()
        audit.record(
            "engagement.priority.adopt",
            actor=actor,
            obj=current,
            data={
                "meeting": meeting.pk if meeting is not None else None,
                "forum": forum.pk if forum is not None else None,
                "live_before": live,
                "limit": limit,
            },
        )
        area_touch([area.pk])
        _notify(current, "adopted", actor=actor)
    return current


def priority_transition(
    *,
    actor: Any,
    priority: Priority,
    to: str,
    expected_version: int,
    reason: str = "",
    outcome: str = "",
) -> Priority:
    """Move a priority along its lifecycle (see ``TRANSITIONS``). ``resolved`` needs the
    community's confirmation; ``dropped`` needs a reason, which is published; ``carried
    over`` creates the follow-on priority, active at once, with the same origins and
    followers. ``outcome`` (what was done) is published with the priority."""
    reason = clean_text(reason, field="reason", limit=MAX_REASON)
    outcome = clean_text(outcome, field="outcome", limit=MAX_OUTCOME)
    if to == PriorityStatus.ADOPTED:
        raise ValidationError(
            {"to": _("Adopt a proposal through adoption, which checks the limit.")}
        )
    if to not in PriorityStatus.values:
        raise ValidationError({"to": _("Choose a status.")})
    if to == PriorityStatus.DROPPED and not reason:
        raise ValidationError({"reason": _("Say why the priority is dropped; it is published.")})
    with transaction.atomic():
        area = Area.objects.select_for_update().get(pk=priority.area_id)
        current = Priority.objects.select_for_update().get(pk=priority.pk)
        if current.version != expected_version:
            raise _stale_priority()
        if to not in TRANSITIONS.get(current.status, ()):
            raise ValidationError(
                {
                    "to": _("A priority that is %(from)s cannot become %(to)s.")
                    % {
                        "from": _status_label(current.status).lower(),
                        "to": _status_label(to).lower(),
                    }
                }
            )
        if to == PriorityStatus.RESOLVED and not community_confirms_resolved(current):
            raise ValidationError(
                _(
                    "Only the community can confirm that a priority is resolved: record a "
                    "carried vote at a meeting, or wait for a majority of at least %(quorum)d "
                    "residents voting online."
                )
                % {"quorum": ONLINE_RESOLUTION_QUORUM}
            )
        now = timezone.now()
        fields: dict[str, Any] = {"status": to, "version": F("version") + 1, "updated_at": now}
        if to in CLOSED_PRIORITY_STATUSES:
            fields["closed_at"] = now
        if reason:
            fields["reason"] = reason
        if outcome:
            fields["outcome"] = outcome
            fields["outcome_at"] = now
        updated = Priority.objects.filter(
            pk=current.pk, version=expected_version, status=current.status
        ).update(**fields)
        if not updated:
            raise _stale_priority()
        before = current.status
        current.refresh_from_db()
        follow_on = _carry_over(current, now) if to == PriorityStatus.CARRIED_OVER else None
        audit.record(
            "engagement.priority.transition",
            actor=actor,
            obj=current,
            data={
                "from": before,
                "to": to,
                "reason": reason,
                "outcome": outcome,
                "follow_on": follow_on.pk if follow_on is not None else None,
            },
        )
        area_touch([area.pk])
        _notify(current, to, actor=actor)
    return current


def _carry_over(priority: Priority, now: Any) -> Priority:
    follow_on = Priority.objects.create(
        area_id=priority.area_id,
        forum_id=priority.forum_id,
        title=priority.title,
        description=priority.description,
        status=PriorityStatus.ACTIVE,
        proposed_by_id=priority.proposed_by_id,
        proposed_at=now,
        adopted_at=now,
        carried_over_from=priority,
    )
    PriorityOrigin.objects.bulk_create(
        PriorityOrigin(
            priority=follow_on,
            kind=origin.kind,
            concern_id=origin.concern_id,
            meeting_item_id=origin.meeting_item_id,
            proposal_id=origin.proposal_id,
            survey_answer=origin.survey_answer,
            answer_id=origin.answer_id,
            user_id=origin.user_id,
            summary=origin.summary,
            language=origin.language,
            created_at=origin.created_at,
        )
        for origin in priority.origins.all()
    )
    Follower.objects.bulk_create(
        Follower(priority=follow_on, user_id=follower.user_id, language=follower.language)
        for follower in priority.followers.all()
    )
    return follow_on


# ----------------------------------------------------------------------------- provenance


def priority_link_origin(
    *,
    actor: Any,
    priority: Priority,
    concern: Any = None,
    meeting_item: MeetingItem | None = None,
    proposal: Priority | None = None,
    survey_answer: str = "",
    summary: str = "",
) -> PriorityOrigin:
    """Record one more thing that raised the priority, so that the people behind it hear of
    what happens. A proposal linked here is merged: it is dropped with a published reason
    naming this priority, and its origins and followers come along."""
    survey_answer = clean_text(survey_answer, field="survey_answer", limit=MAX_SURVEY_ANSWER)
    summary = clean_text(summary, field="summary", limit=MAX_SUMMARY)
    sources = [s for s in (concern, meeting_item, proposal, survey_answer or None) if s is not None]
    if len(sources) != 1:
        raise ValidationError(_("Name one thing that raised this priority."))
    with transaction.atomic():
        current = Priority.objects.select_for_update().select_related("area").get(pk=priority.pk)
        if current.status in CLOSED_PRIORITY_STATUSES:
            raise ValidationError(_("This priority is closed; its provenance is final."))
        origins = PriorityOrigin.objects.filter(priority=current)
        touched = [current.area_id]
        if concern is not None:
            if concern.area_id != current.area_id:
                raise ValidationError(
                    {"concern": _("That concern was raised in another neighbourhood.")}
                )
            if origins.filter(concern=concern).exists():
                raise ValidationError({"concern": _("That concern is already linked.")})
            origin = PriorityOrigin.objects.create(
                priority=current,
                kind=OriginKind.CONCERN,
                concern=concern,
                summary=summary or concern.reference,
            )
        elif meeting_item is not None:
            item = MeetingItem.objects.select_related("meeting__forum__area").get(
                pk=meeting_item.pk
            )
            if not _forum_covers(item.meeting.forum, current.area):
                raise ValidationError(
                    {"meeting_item": _("That meeting's forum does not cover this neighbourhood.")}
                )
            if origins.filter(meeting_item=item).exists():
                raise ValidationError({"meeting_item": _("That meeting item is already linked.")})
            origin = PriorityOrigin.objects.create(
                priority=current,
                kind=OriginKind.MEETING_ITEM,
                meeting_item=item,
                summary=summary or item.text[:MAX_SUMMARY],
            )
            if item.priority_id is None:
                MeetingItem.objects.filter(pk=item.pk).update(priority=current)
        elif proposal is not None:
            origin = _merge_proposal(actor, current, proposal, summary)
        else:
            if origins.filter(survey_answer=survey_answer).exists():
                raise ValidationError({"survey_answer": _("That survey answer is already linked.")})
            origin = PriorityOrigin.objects.create(
                priority=current,
                kind=OriginKind.SURVEY_ANSWER,
                survey_answer=survey_answer,
                summary=summary,
            )
        audit.record(
            "engagement.priority.link_origin",
            actor=actor,
            obj=current,
            data={
                "kind": origin.kind,
                "concern": origin.concern_id,
                "meeting_item": origin.meeting_item_id,
                "proposal": origin.proposal_id,
                "survey_answer": origin.survey_answer,
            },
        )
        area_touch(touched)
    return origin


def _merge_proposal(
    actor: Any, target: Priority, proposal: Priority, summary: str
) -> PriorityOrigin:
    merged = Priority.objects.select_for_update().get(pk=proposal.pk)
    if merged.pk == target.pk:
        raise ValidationError({"proposal": _("A priority cannot be merged into itself.")})
    if merged.area_id != target.area_id:
        raise ValidationError({"proposal": _("That proposal is for another neighbourhood.")})
    if merged.status != PriorityStatus.PROPOSED:
        raise ValidationError({"proposal": _("Only an open proposal can be merged.")})
    reason = _("Merged into the priority “%(title)s”.") % {"title": target.title}
    Priority.objects.filter(pk=merged.pk).update(
        status=PriorityStatus.DROPPED,
        reason=reason[:MAX_REASON],
        closed_at=timezone.now(),
        version=F("version") + 1,
    )
    known = set(
        PriorityOrigin.objects.filter(priority=target).values_list(
            "kind", "concern_id", "meeting_item_id", "proposal_id", "survey_answer"
        )
    )
    copies = [
        PriorityOrigin(
            priority=target,
            kind=origin.kind,
            concern_id=origin.concern_id,
            meeting_item_id=origin.meeting_item_id,
            proposal_id=origin.proposal_id,
            survey_answer=origin.survey_answer,
            answer_id=origin.answer_id,
            user_id=origin.user_id,
            summary=(summary if origin.proposal_id == merged.pk and summary else origin.summary),
            language=origin.language,
            created_at=origin.created_at,
        )
        for origin in merged.origins.all()
        if (
            origin.kind,
            origin.concern_id,
            origin.meeting_item_id,
            origin.proposal_id,
            origin.survey_answer,
        )
        not in known
    ]
    PriorityOrigin.objects.bulk_create(copies)
    followers = set(Follower.objects.filter(priority=target).values_list("user_id", flat=True))
    Follower.objects.bulk_create(
        Follower(priority=target, user_id=f.user_id, language=f.language)
        for f in merged.followers.all()
        if f.user_id not in followers
    )
    audit.record(
        "engagement.priority.merge",
        actor=actor,
        obj=merged,
        data={"into": target.pk},
    )
    merged.status = PriorityStatus.DROPPED
    _notify(merged, "merged", actor=actor)
    origin = PriorityOrigin.objects.filter(priority=target, proposal=merged).first()
    if origin is None:
        origin = PriorityOrigin.objects.create(
            priority=target,
            kind=OriginKind.PROPOSAL,
            proposal=merged,
            user_id=merged.proposed_by_id,
            summary=summary or merged.title[:MAX_SUMMARY],
        )
    return origin


# ----------------------------------------------------------------------------- followers


def priority_follow(*, priority: Priority, user: Any) -> Follower:
    """Ask to hear of every change of a priority (by e-mail, each with a link to stop)."""
    if not _signed_in(user):
        raise ValidationError(_("Sign in to follow a priority."))
    _check_published(priority)
    if priority.status in CLOSED_PRIORITY_STATUSES:
        raise ValidationError(_("This priority is closed; there is nothing more to follow."))
    with transaction.atomic():
        follower, created = Follower.objects.get_or_create(
            priority=priority, user=user, defaults={"language": _language()}
        )
        if created:
            audit.record("engagement.priority.follow", actor=user, obj=priority)
    return follower


def priority_unfollow(*, priority: Priority, user: Any) -> None:
    """Stop hearing of a priority's changes (nothing happens when not following)."""
    if not _signed_in(user):
        raise ValidationError(_("Sign in to stop following a priority."))
    with transaction.atomic():
        deleted, _rows = Follower.objects.filter(priority=priority, user=user).delete()
        if deleted:
            audit.record("engagement.priority.unfollow", actor=user, obj=priority)


# ----------------------------------------------------------------------------- actions


def action_add(
    *,
    actor: Any,
    priority: Priority,
    title: str,
    owner_organisation: Organisation,
    due_on: date,
    description: str = "",
    owner_user: Any = None,
) -> Action:
    """Add an action under a live priority, owned by the police team's organisation or a
    partner agency (optionally a named person of it), due on a date."""
    title = clean_text(title, field="title", limit=MAX_TITLE, required=_("Say what will be done."))
    description = clean_text(description, field="description", limit=MAX_DESCRIPTION)
    if not isinstance(due_on, date):
        raise ValidationError({"due_on": _("Enter the date it is due.")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date has already passed.")})
    if owner_organisation.kind == OrganisationKind.OVERSIGHT:
        raise ValidationError({"owner_organisation": _("An oversight body cannot own an action.")})
    if (
        owner_user is not None
        and not Membership.objects.filter(user=owner_user, organisation=owner_organisation)
        .exclude(role=Role.RESIDENT)
        .exists()
    ):
        raise ValidationError(
            {"owner_user": _("That person does not work for the owning organisation.")}
        )
    with transaction.atomic():
        current = Priority.objects.select_for_update().get(pk=priority.pk)
        if current.status not in LIVE_PRIORITY_STATUSES:
            raise ValidationError(
                _("Actions are added to adopted priorities; this one is %(status)s.")
                % {"status": _status_label(current.status).lower()}
            )
        action = Action.objects.create(
            priority=current,
            title=title,
            description=description,
            owner_organisation=owner_organisation,
            owner_user=owner_user,
            due_on=due_on,
        )
        audit.record(
            "engagement.action.add",
            actor=actor,
            obj=action,
            data={
                "priority": current.pk,
                "owner_organisation": owner_organisation.pk,
                "owner_user": owner_user.pk if owner_user is not None else None,
                "due_on": due_on.isoformat(),
            },
        )
        area_touch([current.area_id])
        _notify(current, "action_added", actor=actor, action=action)
    return action


def action_update(
    *,
    actor: Any,
    action: Action,
    expected_version: int,
    status: str | None = None,
    result: str | None = None,
    due_on: date | None = None,
) -> Action:
    """Change an action's status, public result or due date. Only staff of the owning
    organisation or the priority's police team may; partner staff only their own agency's
    actions, and only the team moves a due date."""
    if status is not None and status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if result is not None:
        result = clean_text(result, field="result", limit=MAX_RESULT)
    if due_on is not None and not isinstance(due_on, date):
        raise ValidationError({"due_on": _("Enter the date it is due.")})
    with transaction.atomic():
        current = (
            Action.objects.select_for_update()
            .select_related("priority__area", "owner_organisation")
            .get(pk=action.pk)
        )
        if not updates_action(actor, current):
            raise ValidationError(
                _("Only %(owner)s or the neighbourhood team may update this action.")
                % {"owner": current.owner_organisation.name}
            )
        if current.version != expected_version:
            raise _stale_action()
        if current.priority.status in CLOSED_PRIORITY_STATUSES:
            raise ValidationError(_("This priority is closed; its actions can no longer change."))
        changes: dict[str, Any] = {}
        if status is not None and status != current.status:
            changes["status"] = status
            changes["completed_at"] = timezone.now() if status == ActionStatus.DONE else None
        if result is not None and result != current.result:
            changes["result"] = result
        if due_on is not None and due_on != current.due_on:
            if not manages_priority(actor, current.priority):
                raise ValidationError(
                    {"due_on": _("Only the neighbourhood team can move the due date.")}
                )
            changes["due_on"] = due_on
        if not changes:
            return current
        before = {name: _plain(getattr(current, name)) for name in changes}
        updated = Action.objects.filter(pk=current.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now(), **changes
        )
        if not updated:
            raise _stale_action()
        current.refresh_from_db()
        audit.record(
            "engagement.action.update",
            actor=actor,
            obj=current,
            data={
                "priority": current.priority_id,
                "before": before,
                "after": {name: _plain(getattr(current, name)) for name in changes},
            },
        )
        area_touch([current.priority.area_id])
        _notify(current.priority, "action_updated", actor=actor, action=current)
    return current


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
