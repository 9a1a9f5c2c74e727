"""Staff pages of survey waves (mounted at /staff/surveys/): the waves of the neighbourhoods a
member of staff serves, setting one up from a questionnaire, opening and closing it, sending
invitations, entering in-person and paper answers on a tablet, and a wave's response counts
per neighbourhood and mode (counts only: estimates are the results pages').

Each view's first line fetches its object through ``object_or_403``; writes go through
``ourbeat.surveys.services.fielding``. The police roles of the wave's organisation, within
their area, run waves; analysts read them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ourbeat.core.permissions import (
    SURVEY_MANAGER_ROLES,
    SURVEY_READER_ROLES,
    area_scope,
    areas_filter_for,
    holds_role_over,
)
from ourbeat.core.staff import apply_validation_errors, object_or_403, staff_view
from ourbeat.places.models import Area, AreaLevel
from ourbeat.surveys import selectors, themes
from ourbeat.surveys.forms import InvitationForm, QuestionnaireForm, WaveForm
from ourbeat.surveys.models import Instrument, Mode, Response, Wave, WaveStatus, translated
from ourbeat.surveys.services import fielding
from ourbeat.surveys.services import themes as themes_service
from ourbeat.surveys.services.instruments import ensure_library

LIST_SIZE = 100
# Answers shown for each theme on the themes page.
EXAMPLES = 5


def _waves_for(user: Any) -> QuerySet[Wave]:
    scope = area_scope(user, SURVEY_READER_ROLES, "areas__")
    if scope is None:
        return Wave.objects.all()
    return Wave.objects.filter(pk__in=Wave.objects.filter(scope).values("pk"))


def _managed_neighbourhoods(user: Any) -> QuerySet[Area]:
    areas = Area.objects.filter(level=AreaLevel.NEIGHBOURHOOD).order_by("name")
    scope = area_scope(user, SURVEY_MANAGER_ROLES, "")
    return areas if scope is None else areas.filter(scope)


def _instruments_for(user: Any) -> list[Instrument]:
    """The latest version of each questionnaire of the built-in set and of the user's
    organisations (every organisation's for a site administrator)."""
    found = Instrument.objects.select_related("organisation")
    if not user.is_superuser:
        organisations = {m.organisation_id for m in areas_filter_for(user, SURVEY_MANAGER_ROLES)}
        found = found.filter(Q(organisation__isnull=True) | Q(organisation_id__in=organisations))
    latest: dict[tuple[int | None, str], Instrument] = {}
    for instrument in found.order_by("organisation_id", "key", "version"):
        latest[(instrument.organisation_id, instrument.key)] = instrument
    return sorted(
        latest.values(),
        key=lambda i: (i.organisation_id is not None, translated(i.title).lower(), i.key),
    )


def _error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _back(wave: Wave) -> HttpResponse:
    return redirect("staff_surveys:wave", pk=wave.pk)


# ---- waves ---------------------------------------------------------------------------------


@staff_view
@require_safe
def wave_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("surveys.use_waves"):
        raise PermissionDenied
    waves = list(
        _waves_for(request.user)
        .select_related("instrument", "organisation")
        .annotate(n_responses=Count("responses"))
        .order_by("-opens_on", "-pk")[:LIST_SIZE]
    )
    return render(
        request,
        "surveys/staff/wave_list.html",
        {
            "waves": waves,
            "truncated": len(waves) == LIST_SIZE,
            "can_create": request.user.has_perm("surveys.create_wave"),
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def wave_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("surveys.create_wave"):
        raise PermissionDenied
    # The built-in questionnaires are offered from the first visit (a no-op once loaded).
    ensure_library()
    areas = _managed_neighbourhoods(request.user)
    today = timezone.localdate()
    form = WaveForm(
        request.POST or None,
        instruments=_instruments_for(request.user),
        areas=areas,
        initial={"opens_on": today, "closes_on": today + timedelta(days=28)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["areas"])
        organisations = {area.organisation_id for area in chosen}
        if len(organisations) > 1:
            form.add_error("areas", _("Choose the neighbourhoods of one organisation."))
        else:
            try:
                wave = fielding.wave_create(
                    actor=request.user,
                    organisation=chosen[0].organisation,
                    instrument=data["instrument"],
                    title=data["title"],
                    areas=chosen,
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    modes=data["modes"],
                    languages=data["languages"],
                )
            except ValidationError as error:
                apply_validation_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The wave is set up as a draft. Open it when it should take answers."),
                )
                return _back(wave)
    return render(request, "surveys/staff/wave_form.html", {"form": form})


def _counts(wave: Wave) -> dict[str, Any]:
    """Responses per neighbourhood and mode, with totals."""
    modes = [mode for mode in Mode if mode.value in wave.modes]
    cells: dict[tuple[int, str], int] = {
        (row["area_id"], row["mode"]): row["n"]
        for row in Response.objects.filter(wave=wave)
        .values("area_id", "mode")
        .annotate(n=Count("pk"))
        .order_by()
    }
    # Answers entered while a mode was on are still counted if the wave's modes lack it.
    extra = sorted({mode for (_a, mode) in cells} - {m.value for m in modes})
    modes += [Mode(value) for value in extra]
    rows: list[dict[str, Any]] = []
    for area in wave.areas.order_by("name"):
        counts = [cells.get((area.pk, mode.value), 0) for mode in modes]
        rows.append({"area": area, "counts": counts, "total": sum(counts)})
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(modes))]
    return {"modes": modes, "rows": rows, "totals": totals, "total": sum(totals)}


@staff_view
@require_safe
def wave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    wave = object_or_403(request, Wave, "surveys.read_wave", pk=pk)
    link = ""
    if Mode.OPEN_LINK in wave.modes and wave.status != WaveStatus.DRAFT:
        link = settings.OURBEAT_SITE_URL.rstrip("/") + reverse(
            "surveys:respond", kwargs={"link_key": wave.link_key}
        )
    names = dict(settings.LANGUAGES)
    return render(
        request,
        "surveys/staff/wave_detail.html",
        {
            "wave": wave,
            "instrument_title": translated(wave.instrument.title),
            "counts": _counts(wave),
            "invitations_waiting": wave.invitations.count(),
            "open_link": link,
            "languages": [names.get(code, code) for code in wave.languages],
            "mode_labels": [Mode(m).label for m in wave.modes if m in Mode.values],
            "can_manage": request.user.has_perm("surveys.manage_wave", wave),
            "can_enter": request.user.has_perm("surveys.enter_responses", wave),
            "takes_invitations": Mode.INVITED in wave.modes,
            "takes_entries": any(m in wave.modes for m in fielding.STAFF_MODES),
            "results": selectors.wave_results(wave),
        },
    )


@staff_view
@require_POST
def wave_open(request: HttpRequest, pk: int) -> HttpResponse:
    wave = object_or_403(request, Wave, "surveys.manage_wave", pk=pk)
    try:
        fielding.wave_open(actor=request.user, wave=wave)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The wave is open: its link and invitations take answers."))
    return _back(wave)


@staff_view
@require_POST
def wave_close(request: HttpRequest, pk: int) -> HttpResponse:
    wave = object_or_403(request, Wave, "surveys.manage_wave", pk=pk)
    try:
        fielding.wave_close(actor=request.user, wave=wave)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request, _("The wave is closed and its answers are weighted; it takes no more.")
        )
    return _back(wave)


@staff_view
@require_http_methods(["GET", "POST"])
def wave_invite(request: HttpRequest, pk: int) -> HttpResponse:
    wave = object_or_403(request, Wave, "surveys.manage_wave", pk=pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = fielding.invitations_send(
                actor=request.user, wave=wave, emails=form.addresses()
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(
                request,
                translation.ngettext(
                    "%(count)d invitation sent.", "%(count)d invitations sent.", result.sent
                )
                % {"count": result.sent},
            )
            if result.failed:
                messages.error(
                    request,
                    translation.ngettext(
                        "%(count)d invitation could not be sent and was withdrawn.",
                        "%(count)d invitations could not be sent and were withdrawn.",
                        result.failed,
                    )
                    % {"count": result.failed},
                )
            return _back(wave)
    return render(
        request,
        "surveys/staff/wave_invite.html",
        {
            "wave": wave,
            "form": form,
            "takes_invitations": Mode.INVITED in wave.modes,
            "limit": fielding.MAX_INVITATIONS,
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def wave_enter(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire for staff on a tablet at a meeting or surgery, or copying in paper
    forms: the same questions, with the mode and the language the answers were given in."""
    wave = object_or_403(request, Wave, "surveys.enter_responses", pk=pk)
    areas = [
        area
        for area in wave.areas.order_by("name")
        if holds_role_over(request.user, area, SURVEY_MANAGER_ROLES)
    ]
    language = (translation.get_language() or "en").split("-")[0]
    takes_entries = any(m in wave.modes for m in fielding.STAFF_MODES)
    form = None
    if wave.status == WaveStatus.OPEN and takes_entries:
        form = QuestionnaireForm(
            request.POST or None, wave=wave, areas=areas, language=language, staff=True
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            fielding.response_submit(
                wave=wave,
                area=form.area(areas),
                language=form.cleaned_data["language"],
                answers=form.answers(),
                age_band=form.cleaned_data["age_band"],
                sex=form.cleaned_data["sex"],
                mode=form.cleaned_data["mode"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_validation_errors(form, error)
        else:
            messages.success(
                request, _("The answers are entered. The form is ready for the next one.")
            )
            return redirect("staff_surveys:wave_enter", pk=wave.pk)
    return render(
        request,
        "surveys/staff/wave_enter.html",
        {
            "wave": wave,
            "form": form,
            "title": translated(wave.instrument.title, language),
            "takes_entries": takes_entries,
        },
    )


# ---- themes of the open answers ----------------------------------------------------------


class ThemeForm(forms.Form):
    """Send one theme to the neighbourhood's priorities. The service checks the title and
    description (and says what is wrong), so the form itself refuses nothing."""

    answers = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label=_lazy("Priority"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": themes_service.MAX_PRIORITY_TITLE}),
        help_text=_lazy("Published at once: write it for the public, naming nobody."),
    )
    description = forms.CharField(
        label=_lazy("What the problem is"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_lazy("Optional; published with the priority."),
    )

    def answer_ids(self) -> list[str]:
        return [part for part in str(self.cleaned_data["answers"]).split(",") if part.strip()]


def _theme_areas(request: HttpRequest, wave: Wave) -> list[Area]:
    """The wave's neighbourhoods in which the user runs surveys."""
    return [
        area
        for area in wave.areas.order_by("name")
        if holds_role_over(request.user, area, SURVEY_MANAGER_ROLES)
    ]


def _chosen(options: list[Any], wanted: str, key: Any) -> Any:
    """The option whose key is ``wanted`` (the first when nothing is asked for); 404 when
    what is asked for is not among the options."""
    if not wanted:
        return options[0] if options else None
    for option in options:
        if str(key(option)) == wanted:
            return option
    raise Http404(_("There is no such choice here."))


@staff_view
@require_http_methods(["GET", "POST"])
def wave_themes(request: HttpRequest, pk: int) -> HttpResponse:
    """The themes in a closed wave's answers to its open question, in one neighbourhood the
    user runs surveys in; each can be sent to that neighbourhood's priorities. The answers'
    text is shown here to staff only: it is never published."""
    wave = object_or_403(request, Wave, "surveys.enter_responses", pk=pk)
    areas = _theme_areas(request, wave)
    area = _chosen(areas, request.GET.get("area", ""), lambda a: a.slug)
    items = themes.open_items(wave)
    item = _chosen(items, request.GET.get("item", ""), lambda i: i.pk)
    posted_key = ""
    posted_form: ThemeForm | None = None
    if request.method == "POST":
        posted_key = str(request.POST.get("theme", ""))
        if not (posted_key.isascii() and posted_key.isdigit()):
            posted_key = "0"
        posted_form = ThemeForm(request.POST, prefix=f"theme-{posted_key}")
        if area is None:
            raise PermissionDenied
        if posted_form.is_valid():
            try:
                priority = themes_service.theme_propose(
                    actor=request.user,
                    wave=wave,
                    area=area,
                    answer_ids=posted_form.answer_ids(),
                    title=posted_form.cleaned_data["title"],
                    description=posted_form.cleaned_data["description"],
                )
            except ValidationError as error:
                apply_validation_errors(posted_form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The theme is proposed as a priority of %(name)s, with its answers as "
                        "its origins. It is published; the answers themselves are not."
                    )
                    % {"name": area.name},
                )
                return redirect("staff_engagement:priority", pk=priority.pk)
    grouping = None
    linked = 0
    if wave.status == WaveStatus.CLOSED and item is not None and area is not None:
        grouping = themes.wave_themes(wave, item, area)
        linked = themes.linked_answers(wave, item, area)
    rows: list[dict[str, Any]] = []
    for theme in grouping.themes if grouping else []:
        key = str(min(theme.answer_ids))
        form = ThemeForm(
            prefix=f"theme-{key}",
            initial={
                "answers": ",".join(str(i) for i in theme.answer_ids),
                "title": " ".join(theme.label.split())[: themes_service.MAX_PRIORITY_TITLE],
            },
        )
        if posted_form is not None and key == posted_key:
            form = posted_form
            posted_form = None
        rows.append(
            {
                "theme": theme,
                "key": key,
                "form": form,
                "examples": theme.examples(EXAMPLES),
                "more": max(theme.count - EXAMPLES, 0),
            }
        )
    return render(
        request,
        "surveys/staff/wave_themes.html",
        {
            "wave": wave,
            "areas": areas,
            "area": area,
            "items": items,
            "item": item,
            "item_text": item.text() if item is not None else "",
            "grouping": grouping,
            "rows": rows,
            "linked": linked,
            # A refusal of a theme no longer on the page (the answers changed meanwhile).
            "stray_form": posted_form,
            "query": {"area": area.slug if area else "", "item": item.pk if item else ""},
        },
    )
