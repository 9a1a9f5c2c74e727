"""Staff pages of neighbourhood priorities: the priorities of the neighbourhoods the user
serves, a priority with its provenance, adoption, the lifecycle, actions (and "my agency's
actions" for partner staff), and the votes a meeting took. Each view's first line fetches
its object through ``object_or_403``; writes go through ``services.priorities``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ourbeat.accounts.models import User
from ourbeat.concerns.models import Concern
from ourbeat.core.permissions import (
    CONCERN_HANDLER_ROLES,
    PRIORITY_READER_ROLES,
    areas_filter_for,
)
from ourbeat.core.staff import apply_validation_errors, object_or_403, staff_view
from ourbeat.engagement.forms_priorities import (
    ActionForm,
    ActionUpdateForm,
    AdoptForm,
    MeetingVoteForm,
    OriginForm,
    PublishForm,
    TransitionForm,
)
from ourbeat.engagement.models import (
    CLOSED_PRIORITY_STATUSES,
    LIVE_PRIORITY_STATUSES,
    Action,
    ActionStatus,
    Forum,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MeetingVote,
    OriginKind,
    Priority,
    PriorityStatus,
    Question,
)
from ourbeat.engagement.selectors import ancestor_ids
from ourbeat.engagement.services import priorities as services
from ourbeat.places.models import Area, AreaLevel, Organisation, OrganisationKind

CLOSED_PAGE_SIZE = 25
ACTIONS_PAGE_SIZE = 50
# Meeting items offered as origins: those of the last two years.
ITEMS_DAYS = 730


def _url(name: str, **kwargs: Any) -> str:
    """The address of a page another part may not have built yet ("" until it exists)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _forums_covering(area: Area) -> QuerySet[Forum]:
    return Forum.objects.filter(area_id__in=ancestor_ids(area), active=True).order_by("name")


def _neighbourhood_ids(user: Any, roles: set[str]) -> list[int] | None:
    """The neighbourhoods the user's roles cover (None: all of them, for a site admin)."""
    if user.is_superuser:
        return None
    memberships = areas_filter_for(user, roles)
    areas = Area.objects.filter(level=AreaLevel.NEIGHBOURHOOD).only("pk", "path", "organisation")
    return [
        area.pk
        for area in areas
        if any(
            m.organisation_id == area.organisation_id
            and (m.area is None or area.path.startswith(m.area.path))
            for m in memberships
        )
    ]


def _with_counts(priorities: QuerySet[Priority]) -> QuerySet[Priority]:
    return priorities.select_related("area").annotate(
        support=Count("votes", filter=Q(votes__question=Question.ADOPT, votes__in_favour=True)),
        action_count=Count("actions", distinct=True),
    )


def _posted(request: HttpRequest) -> Any:
    """The submitted data of a POST (even an empty one, so that it is checked), else None."""
    return request.POST if request.method == "POST" else None


def _back_to(priority: Priority) -> HttpResponse:
    return redirect("staff_engagement:priority", pk=priority.pk)


# ----------------------------------------------------------------------------- priorities


@staff_view
@require_safe
def priority_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("engagement.use_priorities"):
        raise PermissionDenied
    area_ids = _neighbourhood_ids(request.user, set(PRIORITY_READER_ROLES))
    mine = (
        Priority.objects.all()
        if area_ids is None
        else Priority.objects.filter(area_id__in=area_ids)
    )
    slug = request.GET.get("area", "")[:80]
    area = None
    if slug:
        area = Area.objects.filter(slug=slug, level=AreaLevel.NEIGHBOURHOOD).first()
        if area is not None:
            mine = mine.filter(area=area)
    # Those waiting for moderation first: nobody else can see them until they are read.
    proposed = _with_counts(mine.filter(status=PriorityStatus.PROPOSED)).order_by(
        F("published_at").asc(nulls_first=True), "-proposed_at"
    )
    live = _with_counts(mine.filter(status__in=LIVE_PRIORITY_STATUSES)).order_by(
        "area__name", "adopted_at"
    )
    closed = Paginator(
        mine.filter(status__in=CLOSED_PRIORITY_STATUSES)
        .select_related("area")
        .order_by("-closed_at", "-pk"),
        CLOSED_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "engagement/staff/priorities.html",
        {
            "proposed": list(proposed[:200]),
            "live": list(live),
            "closed": closed,
            "area": area,
            "limit": settings.OURBEAT_MAX_ACTIVE_PRIORITIES,
        },
    )


@staff_view
@require_safe
def priority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    priority = object_or_403(
        request,
        Priority,
        "engagement.read_priority",
        pk=pk,
    )
    origins = []
    for origin in priority.origins.select_related(
        "concern", "meeting_item__meeting", "proposal"
    ).order_by("created_at", "pk"):
        link = ""
        if origin.kind == OriginKind.CONCERN and origin.concern is not None:
            link = _url("staff_concerns:detail", reference=origin.concern.reference)
        elif origin.kind == OriginKind.MEETING_ITEM and origin.meeting_item is not None:
            link = _url("staff_engagement:meeting", pk=origin.meeting_item.meeting_id)
        elif origin.kind == OriginKind.PROPOSAL and origin.proposal_id not in (None, priority.pk):
            link = reverse("staff_engagement:priority", kwargs={"pk": origin.proposal_id})
        origins.append({"origin": origin, "link": link})
    online = {
        row["question"]: row
        for row in priority.votes.values("question").annotate(
            yes=Count("pk", filter=Q(in_favour=True)), no=Count("pk", filter=Q(in_favour=False))
        )
    }
    can_manage = request.user.has_perm("engagement.manage_priority", priority)
    actions = list(priority.actions.select_related("owner_organisation", "owner_user"))
    for action in actions:
        action.can_update = request.user.has_perm("engagement.update_action", action)  # type: ignore[attr-defined]
    return render(
        request,
        "engagement/staff/priority.html",
        {
            "priority": priority,
            "origins": origins,
            "online_adopt": online.get(Question.ADOPT, {"yes": 0, "no": 0}),
            "online_resolved": online.get(Question.RESOLVED, {"yes": 0, "no": 0}),
            "meeting_votes": list(
                priority.meeting_votes.select_related("meeting__forum").order_by("-created_at")
            ),
            "actions": actions,
            "carried_into": list(priority.carried_into.all()),
            "followers": priority.followers.count(),
            "can_manage": can_manage,
            "can_adopt": can_manage and priority.status == PriorityStatus.PROPOSED,
            "can_publish": can_manage
            and priority.status == PriorityStatus.PROPOSED
            and priority.published_at is None,
            "can_transition": can_manage and bool(services.TRANSITIONS.get(priority.status)),
            "can_add_action": can_manage and priority.status in LIVE_PRIORITY_STATUSES,
            "can_link": can_manage and priority.status not in CLOSED_PRIORITY_STATUSES,
            "public_url": _url("engagement:priority", pk=priority.pk),
            "quorum": services.ONLINE_RESOLUTION_QUORUM,
            "confirmed": priority.status == PriorityStatus.UNDER_REVIEW
            and services.community_confirms_resolved(priority),
        },
    )


def _form_page(
    request: HttpRequest, priority: Priority, form: Any, title: str, submit: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "engagement/staff/priority_form.html",
        {"priority": priority, "form": form, "title": title, "submit": submit, **extra},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def priority_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Moderation of a resident's proposal: read, correct if needed, publish. To refuse it,
    drop it with a reason (the status page)."""
    priority = object_or_403(request, Priority, "engagement.manage_priority", pk=pk)
    form = PublishForm(
        _posted(request),
        initial={
            "version": priority.version,
            "title": priority.title,
            "description": priority.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.priority_publish(
                actor=request.user,
                priority=priority,
                expected_version=data["version"],
                title=data["title"],
                description=data["description"],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The proposal is published; its proposer is told."))
            return _back_to(priority)
    return _form_page(
        request,
        priority,
        form,
        _("Publish this proposal"),
        _("Publish"),
        note=_(
            "Residents' proposals are published only after a moderator has read them. "
            "To refuse one, drop it with a reason instead: the proposer is told why."
        ),
    )


@staff_view
@require_http_methods(["GET", "POST"])
def priority_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    priority = object_or_403(request, Priority, "engagement.manage_priority", pk=pk)
    forums = _forums_covering(priority.area)
    meetings = (
        Meeting.objects.filter(forum__in=forums, status=MeetingStatus.HELD)
        .select_related("forum")
        .order_by("-starts_at")[:50]
    )
    form = AdoptForm(
        _posted(request),
        initial={"version": priority.version},
        meetings=Meeting.objects.filter(pk__in=[m.pk for m in meetings])
        .select_related("forum")
        .order_by("-starts_at"),
        forums=forums,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.priority_adopt(
                actor=request.user,
                priority=priority,
                expected_version=data["version"],
                meeting=data["meeting"],
                forum=data["forum"],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The priority is adopted."))
            return _back_to(priority)
    live = services.live_priority_count(priority.area)
    return _form_page(
        request,
        priority,
        form,
        _("Adopt this priority"),
        _("Adopt"),
        note=_("%(area)s has %(live)d of at most %(limit)d live priorities.")
        % {
            "area": priority.area.name,
            "live": live,
            "limit": settings.OURBEAT_MAX_ACTIVE_PRIORITIES,
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def priority_transition(request: HttpRequest, pk: int) -> HttpResponse:
    priority = object_or_403(request, Priority, "engagement.manage_priority", pk=pk)
    form = TransitionForm(
        _posted(request), initial={"version": priority.version}, priority=priority
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.priority_transition(
                actor=request.user,
                priority=priority,
                to=data["to"],
                expected_version=data["version"],
                reason=data["reason"],
                outcome=data["outcome"],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("The priority is now %(status)s.")
                % {"status": changed.get_status_display().lower()},
            )
            return _back_to(priority)
    return _form_page(
        request,
        priority,
        form,
        _("Change the status of this priority"),
        _("Change the status"),
        note=_(
            "Resolved needs the community's confirmation: a carried vote at a meeting, or a "
            "majority of at least %(quorum)d residents voting online."
        )
        % {"quorum": services.ONLINE_RESOLUTION_QUORUM},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def priority_origins(request: HttpRequest, pk: int) -> HttpResponse:
    priority = object_or_403(request, Priority, "engagement.manage_priority", pk=pk)
    forums = _forums_covering(priority.area)
    items = (
        MeetingItem.objects.filter(
            meeting__forum__in=forums,
            meeting__starts_at__gte=timezone.now() - timedelta(days=ITEMS_DAYS),
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "order", "pk")
    )
    proposals = Priority.objects.filter(area=priority.area, status=PriorityStatus.PROPOSED).exclude(
        pk=priority.pk
    )
    form = OriginForm(_posted(request), items=items, proposals=proposals)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        concern = None
        if data["concern"]:
            concern = Concern.objects.filter(reference__iexact=data["concern"].strip()).first()
            if concern is None:
                form.add_error("concern", _("No concern has that reference."))
        if not form.errors:
            try:
                services.priority_link_origin(
                    actor=request.user,
                    priority=priority,
                    concern=concern,
                    meeting_item=data["meeting_item"],
                    proposal=data["proposal"],
                    survey_answer=data["survey_answer"],
                    summary=data["summary"],
                )
            except ValidationError as error:
                apply_validation_errors(form, error)
            else:
                messages.success(request, _("The origin is linked."))
                return _back_to(priority)
    return _form_page(
        request,
        priority,
        form,
        _("Link what raised this priority"),
        _("Link"),
        note=_("The people behind each origin are told of every change; they are never named."),
    )


# ----------------------------------------------------------------------------- actions


def _action_organisations(priority: Priority) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        Q(pk=priority.area.organisation_id)
        | Q(kind__in=[OrganisationKind.PARTNER_AGENCY, OrganisationKind.MUNICIPALITY])
    ).order_by("name")


def _action_people(organisations: QuerySet[Organisation]) -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation__in=organisations,
            memberships__role__in=CONCERN_HANDLER_ROLES,
        )
        .distinct()
        .order_by("display_name", "email")
    )


@staff_view
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    priority = object_or_403(request, Priority, "engagement.manage_priority", pk=pk)
    organisations = _action_organisations(priority)
    form = ActionForm(
        _posted(request),
        initial={"owner_organisation": priority.area.organisation_id},
        organisations=organisations,
        people=_action_people(organisations),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_add(
                actor=request.user,
                priority=priority,
                title=data["title"],
                description=data["description"],
                owner_organisation=data["owner_organisation"],
                owner_user=data["owner_user"],
                due_on=data["due_on"],
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The action is added."))
            return _back_to(priority)
    return _form_page(request, priority, form, _("Add an action"), _("Add the action"))


@staff_view
@require_safe
def action_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("engagement.use_actions"):
        raise PermissionDenied
    actions = Action.objects.select_related("priority__area", "owner_organisation", "owner_user")
    if not request.user.is_superuser:
        organisations = {
            m.organisation_id for m in areas_filter_for(request.user, CONCERN_HANDLER_ROLES)
        }
        actions = actions.filter(owner_organisation_id__in=organisations)
    show = request.GET.get("show", "open")
    if show != "all":
        show = "open"
        actions = actions.filter(
            status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS],
            priority__status__in=LIVE_PRIORITY_STATUSES,
        )
    page = Paginator(actions.order_by("due_on", "pk"), ACTIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "engagement/staff/actions.html",
        {"page": page, "show": show, "today": timezone.localdate()},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = object_or_403(
        request,
        Action,
        "engagement.update_action",
        pk=pk,
    )
    team = request.user.has_perm("engagement.manage_priority", action.priority)
    form = ActionUpdateForm(
        _posted(request),
        initial={
            "version": action.version,
            "status": action.status,
            "result": action.result,
            "due_on": action.due_on,
        },
    )
    if not team:
        form.fields["due_on"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.action_update(
                actor=request.user,
                action=action,
                expected_version=data["version"],
                status=data["status"],
                result=data["result"],
                due_on=data["due_on"] if team else None,
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(request, _("The action is saved."))
            return redirect("staff_engagement:action", pk=action.pk)
    return render(
        request,
        "engagement/staff/action.html",
        {
            "action": action,
            "form": form,
            "team": team,
            "closed": action.priority.status in CLOSED_PRIORITY_STATUSES,
        },
    )


# ----------------------------------------------------------------------------- meeting votes


@staff_view
@require_http_methods(["GET", "POST"])
def meeting_votes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = object_or_403(
        request,
        Meeting,
        "engagement.record_meeting_votes",
        pk=pk,
    )
    forum_area = meeting.forum.area
    candidates = (
        Priority.objects.filter(
            area__path__startswith=forum_area.path,
            status__in=[PriorityStatus.PROPOSED, PriorityStatus.UNDER_REVIEW],
        )
        .select_related("area")
        .annotate(
            support=Count("votes", filter=Q(votes__question=Question.ADOPT, votes__in_favour=True))
        )
        .order_by("status", "area__name", "proposed_at")
    )
    recorded = {
        (vote.priority_id, vote.question): vote
        for vote in MeetingVote.objects.filter(meeting=meeting)
    }
    bound: MeetingVoteForm | None = None
    if request.method == "POST":
        bound = MeetingVoteForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            priority = candidates.filter(pk=data["priority"]).first()
            if priority is None:
                bound.add_error(None, _("That priority is not open for a vote at this meeting."))
            else:
                try:
                    services.meeting_vote_record(
                        actor=request.user,
                        meeting=meeting,
                        priority=priority,
                        question=data["question"],
                        in_favour=data["in_favour"],
                        against=data["against"],
                        abstained=data["abstained"] or 0,
                    )
                except ValidationError as error:
                    apply_validation_errors(bound, error)
                else:
                    messages.success(
                        request,
                        _("The vote on “%(title)s” is recorded.") % {"title": priority.title},
                    )
                    return redirect("staff_engagement:meeting_votes", pk=meeting.pk)
    rows = []
    for priority in candidates:
        question = (
            Question.ADOPT if priority.status == PriorityStatus.PROPOSED else Question.RESOLVED
        )
        vote = recorded.get((priority.pk, question))
        form = None
        if vote is None:
            posted = (
                bound is not None
                and str(bound.data.get("priority")) == str(priority.pk)
                and bound.data.get("question") == question
            )
            form = (
                bound
                if posted
                else MeetingVoteForm(
                    initial={"priority": priority.pk, "question": question},
                    auto_id=f"id_vote_{priority.pk}_%s",
                )
            )
            if posted and bound is not None:
                bound.auto_id = f"id_vote_{priority.pk}_%s"
        rows.append(
            {
                "priority": priority,
                "question": question,
                "question_label": Question(question).label,
                "vote": vote,
                "form": form,
            }
        )
    orphan_errors = (
        bound.non_field_errors()
        if bound is not None and not any(row["form"] is bound for row in rows)
        else []
    )
    return render(
        request,
        "engagement/staff/meeting_votes.html",
        {
            "meeting": meeting,
            "rows": rows,
            "held": meeting.status == MeetingStatus.HELD and meeting.attendance is not None,
            "meeting_url": _url("staff_engagement:meeting", pk=meeting.pk),
            "orphan_errors": orphan_errors,
        },
    )
