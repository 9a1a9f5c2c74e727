"""The residents' side of a survey wave: the questionnaire through the wave's open link
(``s/<link_key>/``) or a single-use invitation (``s/i/<token>/``), and the thank-you page.
Pages work without JavaScript; answering is a POST form, rate-limited per client; nothing
that identifies the respondent is kept (no account, no IP address, no time of day)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from ourbeat.core.staff import apply_validation_errors
from ourbeat.surveys.forms import QuestionnaireForm
from ourbeat.surveys.models import Mode, Wave, WaveStatus, translated
from ourbeat.surveys.services import fielding

RESPOND_RATE = "30/h"


def _limited(request: HttpRequest) -> bool:
    return is_ratelimited(
        request,
        group="surveys.respond",
        key="user_or_ip",
        rate=RESPOND_RATE,
        method="POST",
        increment=True,
    )


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _wave_or_404(link_key: str) -> Wave:
    """A wave that the public may know of: any but a draft."""
    wave = (
        Wave.objects.select_related("instrument")
        .exclude(status=WaveStatus.DRAFT)
        .filter(link_key=link_key)
        .first()
    )
    if wave is None:
        raise Http404(_("No survey has that address."))
    return wave


def _closed(request: HttpRequest, wave: Wave) -> HttpResponse:
    return render(
        request,
        "surveys/respond/closed.html",
        {"wave": wave, "title": translated(wave.instrument.title)},
        status=410,
    )


def _invalid_invitation(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/respond/invitation_invalid.html", status=404)


def _language_links(request: HttpRequest, wave: Wave) -> list[tuple[str, str, str]]:
    names = {"en": "English", "ru": "Русский"}
    return [
        (code, names.get(code, code), translate_url(request.get_full_path(), code))
        for code in wave.languages
    ]


def _questionnaire(
    request: HttpRequest, wave: Wave, *, mode: str, token: str | None = None
) -> HttpResponse:
    language = _language()
    if request.method != "POST" and language not in wave.languages:
        return redirect(translate_url(request.get_full_path(), wave.languages[0]))
    areas = list(wave.areas.order_by("name"))
    form = QuestionnaireForm(request.POST or None, wave=wave, areas=areas, language=language)
    status = 200
    if request.method == "POST":
        if _limited(request):
            return render(request, "surveys/respond/limited.html", status=429)
        if form.is_valid():
            try:
                fielding.response_submit(
                    wave=wave,
                    area=form.area(areas),
                    language=language,
                    answers=form.answers(),
                    age_band=form.cleaned_data["age_band"],
                    sex=form.cleaned_data["sex"],
                    mode=mode,
                    token=token,
                )
            except ValidationError as error:
                code = getattr(error, "code", None)
                if code == "closed":
                    return _closed(request, wave)
                if code == "invitation":
                    return _invalid_invitation(request)
                apply_validation_errors(form, error)
            else:
                return redirect("surveys:thanks", link_key=wave.link_key)
        status = 400
    context: dict[str, Any] = {
        "wave": wave,
        "form": form,
        "title": translated(wave.instrument.title, language),
        "introduction": translated(wave.instrument.description, language),
        "invited": mode == Mode.INVITED,
        "language_links": _language_links(request, wave),
    }
    return render(request, "surveys/respond/questionnaire.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, link_key: str) -> HttpResponse:
    """The open link. A draft wave, or one that takes no open-link answers, is not there."""
    wave = _wave_or_404(link_key)
    if Mode.OPEN_LINK not in wave.modes:
        raise Http404(_("No survey has that address."))
    if wave.status == WaveStatus.CLOSED:
        return _closed(request, wave)
    return _questionnaire(request, wave, mode=Mode.OPEN_LINK)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invited(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's own link: it works until the questionnaire is sent."""
    wave = fielding.invitation_wave(token)
    if wave is None or wave.status == WaveStatus.DRAFT:
        return _invalid_invitation(request)
    if wave.status == WaveStatus.CLOSED:
        return _closed(request, wave)
    return _questionnaire(request, wave, mode=Mode.INVITED, token=token)


@require_safe
def thanks(request: HttpRequest, link_key: str) -> HttpResponse:
    wave = _wave_or_404(link_key)
    return render(
        request,
        "surveys/respond/thanks.html",
        {"wave": wave, "title": translated(wave.instrument.title)},
    )
