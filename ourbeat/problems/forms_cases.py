"""Forms of the case list, opening a case, scanning and analysis. They check the shape of
input only; ``problems.services`` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ourbeat.analytics.events import INCIDENT_CATEGORY_LABELS
from ourbeat.places.models import Area, Organisation
from ourbeat.problems.models import (
    CONTROLLER_OF_SIDE,
    CheersElement,
    Effectiveness,
    HypothesisResult,
    SimilarityKind,
    Stage,
    TriangleSide,
)
from ourbeat.problems.services import MAX_DESCRIPTION, MAX_NOTE, MAX_ROLE, MAX_TITLE

YES_NO = [("yes", _("Yes, met")), ("no", _("No, not met"))]
MAX_REFERENCES = 2000


def category_choices() -> list[tuple[str, Any]]:
    """police.uk's crime types, by their slugs."""
    return sorted(INCIDENT_CATEGORY_LABELS.items(), key=lambda item: str(item[1]))


class CaseTextForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("What the problem is"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Staff and partner agencies in the case read this. Do not name victims."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Incident categories measured"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The recorded incidents that make up the problem (police.uk's crime types)."),
    )

    def __init__(self, *args: Any, extra_categories: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = category_choices()
        known = {slug for slug, _label in choices}
        # Categories a run brought in that police.uk does not name (a partner's own codes).
        for slug in extra_categories or []:
            if slug not in known:
                choices.append((slug, slug.replace("-", " ").capitalize()))
        self.fields["categories"].choices = choices  # type: ignore[attr-defined]


class ProblemNewForm(CaseTextForm):
    """Opening a case. The origin travels in hidden fields; the view re-reads it from the
    run, the concerns or the priority, never trusting anything else posted."""

    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=None
    )
    run = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    cell = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    concern_refs = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
    priority = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    field_order = ["title", "description", "area", "categories"]

    def __init__(self, *args: Any, areas: Any = None, fixed_area: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        if fixed_area:
            # The origin decides the area: it is shown on the page, not chosen.
            del self.fields["area"]
        else:
            area_field.queryset = areas if areas is not None else Area.objects.none()  # type: ignore[attr-defined]
            area_field.required = True


class CheersForm(forms.Form):
    similarity_kinds = forms.MultipleChoiceField(
        label=_("How the events are alike"),
        choices=SimilarityKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one, when similarity is met."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for element, label in CheersElement.choices:
            fields[f"{element}_met"] = forms.ChoiceField(
                label=label, choices=YES_NO, widget=forms.RadioSelect
            )
            fields[f"{element}_note"] = forms.CharField(
                label=_("Why"),
                max_length=MAX_NOTE,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        fields["similarity_kinds"] = self.fields.pop("similarity_kinds")
        self.fields = fields

    def elements(self) -> list[tuple[Any, Any]]:
        """Each element's pair of bound fields, in CHEERS order."""
        return [(self[f"{e}_met"], self[f"{e}_note"]) for e in CheersElement.values]

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        answers: dict[str, Any] = {
            element: {"met": data[f"{element}_met"] == "yes", "note": data[f"{element}_note"]}
            for element in CheersElement.values
        }
        answers[CheersElement.SIMILARITY]["kinds"] = list(data["similarity_kinds"])
        return answers

    @staticmethod
    def initial_from(cheers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for element in CheersElement.values:
            answer = cheers.get(element) or {}
            if isinstance(answer.get("met"), bool):
                initial[f"{element}_met"] = "yes" if answer["met"] else "no"
            initial[f"{element}_note"] = answer.get("note", "")
        initial["similarity_kinds"] = (cheers.get(CheersElement.SIMILARITY) or {}).get("kinds", [])
        return initial


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move the case to"), choices=Stage.choices)
    note = forms.CharField(label=_("Why (optional)"), max_length=MAX_NOTE, required=False)


class MemberForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.none()
    )
    role = forms.CharField(
        label=_("Role in the case"),
        max_length=MAX_ROLE,
        help_text=_("For example: manages the estate, runs the youth club."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ConcernsForm(forms.Form):
    references = forms.CharField(
        label=_("Concern references"),
        max_length=MAX_REFERENCES,
        help_text=_("One or more references, separated by commas or spaces."),
    )

    def references_list(self) -> list[str]:
        text = self.cleaned_data["references"].replace(",", " ")
        return [ref.strip().upper() for ref in text.split() if ref.strip()]


class AnalysisForm(forms.Form):
    summary = forms.CharField(
        label=_("What the analysis found"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    current_responses = forms.CharField(
        label=_("Current responses"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is already being done about it, and by whom."),
    )


def _side_choices() -> list[tuple[str, str]]:
    return [(side, f"{label} ({CONTROLLER_OF_SIDE[side]})") for side, label in TriangleSide.choices]


class TriangleForm(forms.Form):
    side = forms.ChoiceField(label=_("Side (and its controller)"), choices=_side_choices)
    description = forms.CharField(
        label=_("Who or what"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    controller = forms.CharField(
        label=_("Controller"),
        max_length=300,
        required=False,
        help_text=_(
            "The handler of the offender, the guardian of the target, the manager of the place."
        ),
    )
    effectiveness = forms.ChoiceField(
        label=_("How effective the controller is"),
        choices=Effectiveness.choices,
        initial=Effectiveness.UNKNOWN,
    )


class HypothesisForm(forms.Form):
    statement = forms.CharField(
        label=_("Hypothesis"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    test_data = forms.CharField(
        label=_("Data that tests it"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HypothesisUpdateForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=HypothesisResult.choices)
    finding = forms.CharField(
        label=_("Finding"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    test_data = forms.CharField(
        label=_("Data that tests it"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
