"""Forms of the surveys app. They only shape input and draw the questionnaire; the rules
(which areas, values on the scale, open text within its limit, a wave that is open…) are the
fielding services', and come back as form errors."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ourbeat.places.models import Area
from ourbeat.surveys.models import AgeBand, Instrument, Mode, Sex, Wave, translated
from ourbeat.surveys.services.fielding import MAX_OPEN_ANSWER, STAFF_MODES, item_field

ITEM_FIELD = re.compile(r"^item_(.*)$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def instrument_label(instrument: Instrument) -> str:
    owner = _("built-in") if instrument.organisation_id is None else _("your organisation's")
    return f"{translated(instrument.title)} · v{instrument.version} · {owner}"


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return instrument_label(obj)


class WaveForm(forms.Form):
    instrument = InstrumentChoiceField(
        label=_("Questionnaire"),
        queryset=Instrument.objects.none(),
        help_text=_("A questionnaire of the built-in set, or one of your organisation's."),
    )
    title = forms.CharField(
        label=_("Title of the wave"),
        max_length=200,
        help_text=_("For staff, for instance “Spring 2025 residents' survey”."),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Neighbourhoods"),
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(label=_("Opens"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes"), widget=DateInput())
    modes = forms.MultipleChoiceField(
        label=_("Ways of answering"),
        choices=Mode.choices,
        initial=[Mode.OPEN_LINK, Mode.IN_PERSON],
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        instruments: list[Instrument],
        areas: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Instrument.objects.filter(pk__in=[i.pk for i in instruments])
        field.choices = [("", "---------")] + [(i.pk, instrument_label(i)) for i in instruments]
        areas_field = self.fields["areas"]
        assert isinstance(areas_field, forms.ModelMultipleChoiceField)
        areas_field.queryset = areas
        self.fields["languages"].initial = [code for code, _name in settings.LANGUAGES]


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses, one a line"),
        max_length=60000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Each address gets its own link, which works once. The addresses are used to send "
            "the mail and are then forgotten: ourbeat keeps none of them."
        ),
    )

    def addresses(self) -> list[str]:
        return str(self.cleaned_data["emails"]).splitlines()


def _radios(choices: list[tuple[Any, Any]], label: Any, **extra: Any) -> forms.CharField:
    """A group of radio buttons whose value the fielding service checks (so that the form
    itself never refuses a value with a message of its own)."""
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.RadioSelect(choices=choices),
        **extra,
    )


class QuestionnaireForm(forms.Form):
    """A wave's questionnaire in one language: the neighbourhood, the items (radio groups for
    scale items, a text box for open questions), then optional age band and sex. Staff entry
    adds the mode (in person or on paper) and the language the answers were given in."""

    def __init__(
        self,
        *args: Any,
        wave: Wave,
        areas: list[Area],
        language: str,
        staff: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.wave = wave
        self.language = language
        if staff:
            modes = [(m.value, m.label) for m in STAFF_MODES if m.value in wave.modes]
            self.fields["mode"] = _radios(modes, _("How were these answers given?"))
            if len(modes) == 1:
                self.fields["mode"].initial = modes[0][0]
            names = dict(settings.LANGUAGES)
            self.fields["language"] = _radios(
                [(code, names.get(code, code)) for code in wave.languages],
                _("Language of the answers"),
            )
            self.fields["language"].initial = (
                language if language in wave.languages else wave.languages[0]
            )
        self.fields["area"] = _radios(
            [(area.pk, area.name) for area in areas],
            _("Which neighbourhood do you live in?"),
        )
        if len(areas) == 1:
            self.fields["area"].initial = areas[0].pk
        self.items = [
            entry.item
            for entry in wave.instrument.entries.select_related("item__scale").order_by("position")
        ]
        for number, item in enumerate(self.items, start=1):
            label = f"{number}. {item.text(language)}"
            if item.scale is None:
                self.fields[item_field(item.pk)] = forms.CharField(
                    label=label,
                    required=False,
                    strip=False,
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_OPEN_ANSWER}),
                    help_text=_("Optional. At most %(limit)d characters.")
                    % {"limit": MAX_OPEN_ANSWER},
                )
            else:
                self.fields[item_field(item.pk)] = _radios(item.scale.labels(language), label)
        self.fields["age_band"] = _radios(
            [("", _("I prefer not to say")), *AgeBand.choices],
            _("Your age (optional)"),
            help_text=_("Helps us to weight the answers to the neighbourhood's population."),
        )
        self.fields["sex"] = _radios(
            [("", _("I prefer not to say")), *Sex.choices],
            _("Your sex (optional)"),
        )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item_field(item.pk)] for item in self.items]

    def answers(self) -> dict[str, Any]:
        """Every ``item_…`` value posted, known or not (the service refuses what is not in
        the questionnaire: a page opened before the questionnaire changed)."""
        found: dict[str, Any] = {}
        for key in self.data:
            match = ITEM_FIELD.match(str(key))
            if match:
                found[match.group(1)] = self.data.get(key)
        return found

    def area(self, areas: list[Area]) -> Area | None:
        chosen = str(self.cleaned_data.get("area") or "")
        return next((area for area in areas if str(area.pk) == chosen), None)
