"""Listening and engagement: forums and their meetings, neighbourhood priorities set with
residents, the actions taken under them, and the provenance that links each priority back to
what raised it, so that everyone who raised it can be told what happened.

The loop this app makes traceable: residents propose (online or at a meeting) → a forum
adopts up to N active priorities per neighbourhood → police and partners act → the next
meeting hears back → the community confirms a priority resolved (by a vote).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ForumKind(models.TextChoices):
    BEAT_MEETING = "beat_meeting", _("Beat meeting")
    PACT_PANEL = "pact_panel", _("PACT panel")
    SAFETY_COMMITTEE = "safety_committee", _("Local public safety committee")
    SAFETY_COUNCIL = "safety_council", _("Municipal safety council")
    YOUTH_FORUM = "youth_forum", _("Youth forum")
    MINORITY_FORUM = "minority_forum", _("Minority community forum")
    ADVISORY_COMMITTEE = "advisory_committee", _("Advisory committee")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    BIMONTHLY = "bimonthly", _("Every two months")
    QUARTERLY = "quarterly", _("Quarterly")
    IRREGULAR = "irregular", _("When needed")


class Forum(models.Model):
    """A standing body where residents and police meet about an area: a beat meeting, a PACT
    panel, a local public safety committee. ``rrule`` keeps the recurring pattern (RFC 5545)
    when one is known, for instance from an imported calendar."""

    area = models.ForeignKey(
        "places.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="forums"
    )
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("convening organisation"),
        on_delete=models.PROTECT,
        related_name="forums",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ForumKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    frequency = models.CharField(
        _("meets"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    rrule = models.CharField(
        _("recurrence rule"),
        max_length=300,
        blank=True,
        help_text=_("The usual pattern of meetings, as an iCalendar RRULE."),
    )
    usual_venue = models.CharField(_("usual venue"), max_length=200, blank=True)
    usual_address = models.CharField(_("usual address"), max_length=300, blank=True)
    contact = models.CharField(_("public contact"), max_length=300, blank=True)
    # Imported forums keep their source's identifier so that re-importing changes nothing.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area__name", "name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("engagement:forum", kwargs={"slug": self.slug})


class MemberRole(models.TextChoices):
    RESIDENT_CO_CHAIR = "resident_co_chair", _("Co-chair (resident)")
    OFFICER_CO_CHAIR = "officer_co_chair", _("Co-chair (officer)")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class ForumMember(models.Model):
    """A member of a forum and whom they represent (a residents' association, a school, a
    housing provider, a faith group, young people). Names are public only when ``public``."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_memberships",
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    represents = models.CharField(_("represents"), max_length=200, blank=True)
    public = models.BooleanField(_("name shown to the public"), default=True)
    since = models.DateField(_("member since"), default=timezone.localdate)
    until = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        ordering = ["role", "name"]
        verbose_name = _("forum member")
        verbose_name_plural = _("forum members")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class MeetingStatus(models.TextChoices):
    """``scheduled`` meetings whose end has passed without a record show as missed (see
    ``Meeting.is_missed``); nothing has to run for that to be true."""

    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    accessibility = models.CharField(_("accessibility notes"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    agenda = models.TextField(_("agenda"), max_length=8000, blank=True)
    registration_required = models.BooleanField(_("registration required"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
        db_index=True,
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # After the meeting. ``attendance_by_group`` is voluntary and self-declared
    # ({"young people": 4, "older people": 9, …}) so that staff can see who is not heard.
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    attendance_by_group = models.JSONField(_("attendance by group"), default=dict, blank=True)
    minutes = models.TextField(_("minutes"), max_length=50000, blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["forum", "starts_at"], name="meeting_forum_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("engagement:meeting", kwargs={"pk": self.pk})

    @property
    def is_missed(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED and self.ends_at < timezone.now()


class Registration(models.Model):
    """A place booked at a meeting that asks for registration. Private to staff."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    needs = models.CharField(_("access needs"), max_length=300, blank=True)
    # The language the person registered in, so that news of the meeting reaches them in it.
    language = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="one_registration_each")
        ]

    def __str__(self) -> str:
        return f"registration {self.pk} for {self.meeting_id}"


class ItemKind(models.TextChoices):
    CONCERN = "concern", _("Concern raised")
    DECISION = "decision", _("Decision")
    REPORT_BACK = "report_back", _("Report back")


class MeetingItem(models.Model):
    """What a meeting heard or decided. A concern raised at a meeting is also filed as a
    concern with the channel "meeting" (``concern``), so it is routed and answered like any
    other."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    text = models.TextField(_("text"), max_length=4000)
    concern = models.ForeignKey(
        "concerns.Concern",
        verbose_name=_("concern"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_items",
    )
    priority = models.ForeignKey(
        "Priority",
        verbose_name=_("priority"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_items",
    )
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("meeting item")
        verbose_name_plural = _("meeting items")

    def __str__(self) -> str:
        return self.text[:60]


class PriorityStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    ACTIVE = "active", _("Active")
    UNDER_REVIEW = "under_review", _("Under review")
    RESOLVED = "resolved", _("Resolved")
    CARRIED_OVER = "carried_over", _("Carried over")
    DROPPED = "dropped", _("Dropped")


# Priorities that count against the neighbourhood's limit of active priorities.
LIVE_PRIORITY_STATUSES = (
    PriorityStatus.ADOPTED,
    PriorityStatus.ACTIVE,
    PriorityStatus.UNDER_REVIEW,
)
CLOSED_PRIORITY_STATUSES = (
    PriorityStatus.RESOLVED,
    PriorityStatus.CARRIED_OVER,
    PriorityStatus.DROPPED,
)


class Priority(models.Model):
    """A neighbourhood priority: the ``issue`` residents raised and, once acted on, the
    public ``outcome`` (police.uk's ``issue`` and ``action``). ``version`` guards against two
    people changing it at once: every write names the version it saw."""

    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        related_name="priorities",
    )
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="priorities",
    )
    title = models.CharField(_("priority"), max_length=200)
    description = models.TextField(_("what the problem is"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PriorityStatus.choices,
        default=PriorityStatus.PROPOSED,
        db_index=True,
    )
    # Private: the proposer is told what happens but never named in public.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    # A resident's free text is published only after a moderator has read it (DESIGN's
    # privacy rules); staff proposals are published at once. None: waiting for moderation.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    adopted_at_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("adopted at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adopted_priorities",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("what was done"), max_length=8000, blank=True)
    outcome_at = models.DateTimeField(_("outcome reported"), null=True, blank=True)
    # Why it was dropped or carried over; published with the priority.
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    carried_over_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_into",
    )
    # Support for a proposal without an account: counted apart and shown as such.
    anonymous_support = models.PositiveIntegerField(_("support without an account"), default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        indexes = [models.Index(fields=["area", "status"], name="priority_area_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagement:priority", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_PRIORITY_STATUSES


class OriginKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    CONCERN = "concern", _("Concern")
    MEETING_ITEM = "meeting_item", _("Raised at a meeting")
    SURVEY_ANSWER = "survey_answer", _("Survey answer")


class PriorityOrigin(models.Model):
    """Provenance: one thing that raised a priority. The people behind the origins (the
    proposer, a concern's reporter) are the ones told of every change; who they are stays
    private."""

    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.CASCADE, related_name="origins"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OriginKind.choices)
    concern = models.ForeignKey(
        "concerns.Concern", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    meeting_item = models.ForeignKey(
        MeetingItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A proposal merged into this priority, or the priority's own proposal (itself).
    proposal = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A reference to an anonymous survey answer, for display ("wave 12, answer 3456"), and
    # the answer itself while it exists (``ourbeat.surveys.services.themes``).
    survey_answer = models.CharField(max_length=100, blank=True)
    answer = models.ForeignKey(
        "surveys.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # The language the person used when they raised it, so that news reaches them in it.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("origin")
        verbose_name_plural = _("origins")

    def __str__(self) -> str:
        return f"{self.kind} → {self.priority_id}"


class Follower(models.Model):
    """Someone who asked to hear about a priority (beyond those who raised it)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_priorities"
    )
    # The language the follower used when they asked, so that news reaches them in it.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["priority", "user"], name="one_follow_each")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.priority_id}"


class Question(models.TextChoices):
    """What a vote decides: to adopt a proposal, or that a priority is resolved."""

    ADOPT = "adopt", _("Adopt as a priority")
    RESOLVED = "resolved", _("The priority is resolved")


class Vote(models.Model):
    """One verified resident's vote online: one per person and question."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="votes")
    question = models.CharField(_("question"), max_length=20, choices=Question.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    in_favour = models.BooleanField(_("in favour"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "question", "user"], name="one_vote_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"vote on {self.priority_id}"


class MeetingVote(models.Model):
    """A vote taken at a meeting: counts of the attendees recorded there (never more votes
    than attendees), one record per meeting, priority and question."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="meeting_votes")
    question = models.CharField(_("question"), max_length=20, choices=Question.choices)
    in_favour = models.PositiveIntegerField(_("in favour"))
    against = models.PositiveIntegerField(_("against"))
    abstained = models.PositiveIntegerField(_("abstained"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "priority", "question"], name="one_count_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"meeting vote on {self.priority_id}"

    @property
    def carried(self) -> bool:
        return self.in_favour > self.against


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Action(models.Model):
    """Something the police or a partner does under a priority. ``owner_organisation`` is
    the team's force or the partner agency; only its staff update the action."""

    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("details"), max_length=4000, blank=True)
    owner_organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="priority_actions",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer or person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    result = models.TextField(_("public result"), max_length=4000, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["priority", "due_on"], name="action_priority_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
            and self.due_on < timezone.localdate()
        )
