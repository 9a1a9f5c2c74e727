"""The public side of the engagement loop: a neighbourhood's "you said, we did", a priority's
whole chain, forums and meetings, and the resident's writes (propose, support, vote, follow,
register), each a thin call of the engagement services. Pages work without JavaScript; every
write is a POST form, rate-limited; nobody's name or address is shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from ourbeat.accounts.models import User
from ourbeat.core.staff import apply_validation_errors
from ourbeat.engagement import notifications, selectors
from ourbeat.engagement.calendar import meetings_calendar
from ourbeat.engagement.forms import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    ProposeForm,
    RegistrationForm,
    VoteForm,
)
from ourbeat.engagement.models import Priority, PriorityStatus, Question
from ourbeat.engagement.services import meetings as meeting_services
from ourbeat.engagement.services import priorities as priority_services
from ourbeat.places.models import Area, AreaLevel

PROPOSE_RATE = "10/h"
SUPPORT_RATE = "30/h"
VOTE_RATE = "30/h"
FOLLOW_RATE = "60/h"
REGISTER_RATE = "10/h"
SESSION_SUPPORTED = "engagement_supported"


# ---- helpers ---------------------------------------------------------------------------------


def _limited(request: HttpRequest, group: str, rate: str) -> bool:
    return is_ratelimited(
        request, group=group, key="user_or_ip", rate=rate, method="POST", increment=True
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/public/limited.html", status=429)


def _login_url(request: HttpRequest, next_url: str | None = None) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': next_url or request.get_full_path()})}"


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _priority_or_404(pk: int) -> Priority:
    priority = selectors.public_priorities().select_related("area").filter(pk=pk).first()
    if priority is None:
        raise Http404(_("No priority has that number."))
    return priority


# ---- "you said, we did" ----------------------------------------------------------------------

# The neighbourhood's content version plus its district's and service's: meetings of a
# district youth forum or a municipal safety council show on every neighbourhood's page, and
# a service that changes them bumps the version of the forum's own area. Versions only grow,
# so the sum changes whenever any of them does. One statement: every anonymous request
# makes it, cache hit or not.
_VERSION_SQL = (
    f"SELECT n.id, n.content_version + COALESCE(d.content_version, 0) "  # noqa: S608 (tables)
    f"+ COALESCE(s.content_version, 0) FROM {Area._meta.db_table} n "
    f"LEFT JOIN {Area._meta.db_table} d ON d.id = n.parent_id "
    f"LEFT JOIN {Area._meta.db_table} s ON s.id = d.parent_id "
    "WHERE n.slug = %s AND n.level = %s"
)


@require_GET
def you_said_we_did(request: HttpRequest, slug: str) -> HttpResponse:
    """Served to anonymous visitors from a copy cached per area version, language and day
    (never stale: every engagement service bumps the version); the page holds no form, so a
    cached copy carries nobody's CSRF token. Later pages of the past are rendered each time."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [slug, AreaLevel.NEIGHBOURHOOD.value])
        version = cursor.fetchone()
    if version is None:
        raise Http404(_("No neighbourhood has that address."))
    pages = {
        name: selectors.page_number(request.GET.get(name))
        for name in ("past", "proposals", "meetings")
    }
    today = timezone.localdate()
    pending_messages = len(messages.get_messages(request)) > 0
    # Only the first pages are cached: any page number may be asked for, and each would be a
    # copy of its own in the cache.
    cacheable = (
        not request.user.is_authenticated
        and not pending_messages
        and all(number == 1 for number in pages.values())
    )
    key = f"public:ysyd:{version[0]}:{version[1]}:{translation.get_language()}:{today.isoformat()}"
    if cacheable:
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
    area = selectors.public_neighbourhood(slug)
    data = selectors.you_said_we_did(
        area,
        now=timezone.now(),
        today=today,
        max_live=settings.OURBEAT_MAX_ACTIVE_PRIORITIES,
        past_page=pages["past"],
        proposals_page=pages["proposals"],
        meetings_page=pages["meetings"],
    )
    html = render_to_string(
        "engagement/public/you_said_we_did.html",
        {"area": area, "data": data, "today": today, "pages": pages},
        request=request,
    )
    if cacheable:
        cache.set(key, html, settings.OURBEAT_PUBLIC_PAGE_CACHE_SECONDS)
    return HttpResponse(html)


# ---- priorities ------------------------------------------------------------------------------


def priority(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    chain = selectors.public_priority(
        pk, today, proposer_id=user.pk if user.is_authenticated else None
    )
    verified = selectors.has_verified_email(user)
    status = chain.priority.status
    supported = pk in request.session.get(SESSION_SUPPORTED, []) or (
        verified and selectors.has_voted(chain.priority, user, Question.ADOPT) is not None
    )
    vote = (
        selectors.has_voted(chain.priority, user, Question.RESOLVED)
        if status == PriorityStatus.UNDER_REVIEW
        else None
    )
    return render(
        request,
        "engagement/public/priority.html",
        {
            "chain": chain,
            "priority": chain.priority,
            "area": chain.priority.area,
            "verified": verified,
            "supported": supported,
            "my_vote": vote,
            "vote_form": VoteForm(),
            "following": selectors.follows(chain.priority, user),
            "login_url": _login_url(request),
            "today": today,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def priority_propose(request: HttpRequest, slug: str) -> HttpResponse:
    """Signed-in residents with a verified e-mail address propose; others are told how."""
    area = selectors.public_neighbourhood(slug)
    context: dict[str, Any] = {"area": area, "login_url": _login_url(request)}
    if not request.user.is_authenticated:
        return render(request, "engagement/public/propose_sign_in.html", context)
    if not selectors.has_verified_email(request.user):
        return render(request, "engagement/public/propose_verify.html", context, status=403)
    # Staff pages (a hot spot, a group of recurring concerns) link here with a suggested
    # title and description; the proposer reads and edits them before anything is sent.
    suggested = {
        "title": request.GET.get("title", "")[:TITLE_MAX],
        "description": request.GET.get("description", "")[:DESCRIPTION_MAX],
    }
    form = ProposeForm(request.POST or None, initial=suggested)
    status = 200
    if request.method == "POST":
        if _limited(request, "engagement.propose", PROPOSE_RATE):
            return _too_many(request)
        if form.is_valid():
            try:
                proposed = priority_services.priority_propose(
                    area=area,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    user=request.user,
                )
            except ValidationError as error:
                apply_validation_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your proposal is sent. A moderator reads it before it is "
                        "published; you will hear by e-mail what happens to it."
                    ),
                )
                return redirect(proposed)
        status = 400
    return render(
        request, "engagement/public/propose.html", {**context, "form": form}, status=status
    )


@require_POST
def priority_support(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified account supports once (a vote); anyone else adds anonymous support, once per
    browser session and within the per-client rate limit."""
    target = _priority_or_404(pk)
    if _limited(request, "engagement.support", SUPPORT_RATE):
        return _too_many(request)
    signed_in = request.user.is_authenticated
    supported = list(request.session.get(SESSION_SUPPORTED, []))
    if not signed_in and target.pk in supported:
        messages.info(request, _("You have already supported this proposal."))
        return redirect(target)
    try:
        priority_services.priority_support(
            priority=target, user=request.user if signed_in else None
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(target)
    request.session[SESSION_SUPPORTED] = [*supported, target.pk][-100:]
    messages.success(request, _("Thank you: your support has been counted."))
    return redirect(target)


@require_POST
def priority_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified resident's online vote that the priority is resolved (or not yet)."""
    target = _priority_or_404(pk)
    if not request.user.is_authenticated:
        return redirect(_login_url(request, target.get_absolute_url()))
    if _limited(request, "engagement.vote", VOTE_RATE):
        return _too_many(request)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose yes or no."))
        return redirect(target)
    try:
        priority_services.priority_vote(
            priority=target, user=request.user, question=Question.RESOLVED, in_favour=form.vote()
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(target)
    messages.success(request, _("Thank you: your vote has been counted."))
    return redirect(target)


@require_POST
def priority_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow (``follow=1``) or stop following (``follow=0``) a priority by e-mail."""
    target = _priority_or_404(pk)
    if not request.user.is_authenticated:
        return redirect(_login_url(request, target.get_absolute_url()))
    if _limited(request, "engagement.follow", FOLLOW_RATE):
        return _too_many(request)
    try:
        if request.POST.get("follow", "1") == "0":
            priority_services.priority_unfollow(priority=target, user=request.user)
            messages.success(request, _("You will no longer hear about this priority."))
        else:
            priority_services.priority_follow(priority=target, user=request.user)
            messages.success(request, _("You will be told by e-mail when this priority changes."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(target)


@require_http_methods(["GET", "HEAD", "POST"])
def priority_unfollow(request: HttpRequest, token: str) -> HttpResponse:
    """The stop-following link of a notification e-mail: no sign-in, the signed token names
    the person and the priority. GET only asks; the POST stops, so a mail scanner that
    fetches the link changes nothing."""
    read = notifications.read_unfollow_token(token)
    target = None
    follower = None
    if read is not None:
        target = (
            Priority.objects.defer("proposed_by").select_related("area").filter(pk=read[0]).first()
        )
        follower = User.objects.filter(pk=read[1], is_active=True).first()
    if target is None or follower is None:
        return render(request, "engagement/public/unfollow_invalid.html", status=404)
    if request.method == "POST":
        priority_services.priority_unfollow(priority=target, user=follower)
        messages.success(
            request, _("Done: you will no longer hear about “%(title)s”.") % {"title": target.title}
        )
        return redirect(
            target
            if target.published_at
            else reverse("engagement:you_said_we_did", args=[target.area.slug])
        )
    return render(request, "engagement/public/unfollow.html", {"priority": target, "token": token})


# ---- forums and meetings ---------------------------------------------------------------------


@require_GET
def forum(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.public_forum(
        slug,
        now=timezone.now(),
        today=timezone.localdate(),
        page=selectors.page_number(request.GET.get("page")),
    )
    return render(request, "engagement/public/forum.html", {"page": page, "forum": page.forum})


def _meeting_context(request: HttpRequest, pk: int, form: RegistrationForm | None) -> Any:
    page = selectors.public_meeting(pk, timezone.now())
    if form is None and page.registration_open:
        user = request.user
        initial = {}
        if user.is_authenticated:
            initial = {"email": getattr(user, "email", ""), "name": str(user)}
        form = RegistrationForm(initial=initial)
    return {"page": page, "meeting": page.meeting, "form": form}


@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "engagement/public/meeting.html", _meeting_context(request, pk, None))


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_register(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect(reverse("engagement:meeting", kwargs={"pk": pk}) + "#register")
    context = _meeting_context(request, pk, RegistrationForm(request.POST))
    page, form = context["page"], context["form"]
    if _limited(request, "engagement.register", REGISTER_RATE):
        return _too_many(request)
    if form.is_valid():
        try:
            meeting_services.meeting_register(
                meeting=page.meeting,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                needs=form.cleaned_data["needs"],
                user=request.user if request.user.is_authenticated else None,
                language=translation.get_language() or "",
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("You are registered. We look forward to seeing you at %(meeting)s.")
                % {"meeting": page.meeting.title},
            )
            return redirect(page.meeting)
    context["form_errors"] = True
    return render(request, "engagement/public/meeting.html", context, status=400)


# ---- calendar --------------------------------------------------------------------------------


@require_GET
def meetings_ics(request: HttpRequest, slug: str) -> HttpResponse:
    area = selectors.public_neighbourhood(slug)
    body = meetings_calendar(
        selectors.meetings_for_calendar(area, timezone.now()),
        name=_("Meetings for %(name)s") % {"name": area.name},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{area.slug}-meetings.ics"'
    return response
