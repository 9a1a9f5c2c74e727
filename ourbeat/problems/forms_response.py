"""Forms of the Response and Assessment stages. They check types and lengths; the services
check everything else (and are what the tests call through the pages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ourbeat.analytics.events import INCIDENT_CATEGORY_LABELS
from ourbeat.places.models import Area, Organisation
from ourbeat.problems.models import (
    TECHNIQUE_GROUP,
    Decision,
    Problem,
    Response,
    TaskStatus,
    Technique,
    TechniqueGroup,
)
from ourbeat.problems.services_assessment import MAX_NOTE, MAX_RINGS, MIN_RINGS
from ourbeat.problems.services_response import (
    MAX_GOAL,
    MAX_RESPONSE_DESCRIPTION,
    MAX_TASK_NOTE,
    MAX_TASK_TITLE,
    case_organisation_ids,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


def technique_choices() -> list[tuple[Any, Any]]:
    """The 25 techniques under their five groups (optgroups), then "other" on its own."""
    grouped: list[tuple[Any, Any]] = [("", _("Choose a technique"))]
    for group in TechniqueGroup:
        if group == TechniqueGroup.OTHER:
            continue
        members = [
            (technique.value, technique.label)
            for technique in Technique
            if TECHNIQUE_GROUP[technique] == group
        ]
        grouped.append((group.label, members))
    grouped.append((Technique.OTHER.value, Technique.OTHER.label))
    return grouped


def case_organisations(problem: Problem) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=case_organisation_ids(problem)).order_by("name")


class ResponseForm(forms.Form):
    technique = forms.ChoiceField(label=_("Technique"), choices=technique_choices)
    description = forms.CharField(
        label=_("What will be done"),
        max_length=MAX_RESPONSE_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Led by"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Not yet decided"),
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "response")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = case_organisations(problem)  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=MAX_GOAL)
    target_reduction_percent = forms.IntegerField(
        label=_("Target reduction (%)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Leave empty when the goal is not a number."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "goal")
        super().__init__(*args, **kwargs)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=MAX_TASK_TITLE)
    organisation = forms.ModelChoiceField(label=_("For"), queryset=Organisation.objects.none())
    due_on = forms.DateField(label=_("Due"), widget=DATE_WIDGET)
    response = forms.ModelChoiceField(
        label=_("Under the response"),
        queryset=Response.objects.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "task")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = case_organisations(problem)  # type: ignore[attr-defined]
        self.fields["response"].queryset = problem.responses.all()  # type: ignore[attr-defined]


class TaskUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    note = forms.CharField(
        label=_("Progress note"),
        required=False,
        max_length=MAX_TASK_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def category_choices() -> list[tuple[str, Any]]:
    return sorted(INCIDENT_CATEGORY_LABELS.items(), key=lambda item: str(item[1]))


class AssessmentForm(forms.Form):
    before_start = forms.DateField(label=_("Before: from"), widget=DATE_WIDGET)
    before_end = forms.DateField(label=_("Before: to"), widget=DATE_WIDGET)
    after_start = forms.DateField(label=_("After: from"), widget=DATE_WIDGET)
    after_end = forms.DateField(label=_("After: to"), widget=DATE_WIDGET)
    comparison_area = forms.ModelChoiceField(
        label=_("Comparison area"), queryset=Area.objects.none()
    )
    buffer_rings = forms.IntegerField(
        label=_("Buffer width (rings of cells)"), min_value=MIN_RINGS, max_value=MAX_RINGS
    )
    categories = forms.MultipleChoiceField(
        label=_("Measure: incident categories"),
        choices=category_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen counts every category."),
    )
    process_note = forms.CharField(
        label=_("Were the tasks done as planned?"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    decision_note = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every area of the lead organisation, the problem's own included, so that choosing it
        # is refused with the service's explanation rather than a bare "not a valid choice".
        self.fields["comparison_area"].queryset = Area.objects.filter(  # type: ignore[attr-defined]
            organisation_id=problem.organisation_id
        ).order_by("path")
        # The case's own categories are offered even when they are not police.uk's.
        known = {value for value, _label in category_choices()}
        extra = [(slug, slug) for slug in problem.categories if slug not in known]
        self.fields["categories"].choices = [*category_choices(), *extra]  # type: ignore[attr-defined]
