from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.conf.locale import LANG_INFO
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ourbeat.teams.models import ContactPoint, Metric, OccurrenceChange, VisibilityLog
from ourbeat.teams.schedule import Occurrence

LANGUAGE_CHOICES = sorted(
    (
        (code, info["name"])
        for code, info in LANG_INFO.items()
        if "name" in info and "-" not in code
    ),
    key=lambda item: item[1],
)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    rank = forms.CharField(label=_("Rank or role"), max_length=100)
    bio = forms.CharField(
        label=_("Short biography"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    photo = forms.FileField(
        label=_("New photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = [
            "kind",
            "title",
            "description",
            "venue",
            "address",
            "accessibility",
            "latitude",
            "longitude",
            "starts_at",
            "duration_minutes",
            "rrule",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class OccurrenceChangeForm(forms.Form):
    ACTIONS = [
        ("cancelled", _("Cancel this occurrence")),
        ("moved", _("Move this occurrence")),
        ("restore", _("Restore it as planned")),
    ]
    occurrence = forms.ChoiceField(label=_("Occurrence"))
    action = forms.ChoiceField(label=_("What to do"), choices=ACTIONS, widget=forms.RadioSelect)
    new_start = forms.DateTimeField(
        label=_("New start (when moving)"), required=False, widget=DateTimeLocalInput()
    )
    new_venue = forms.CharField(label=_("New venue (when moving)"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason shown to the public"), max_length=300, required=False)

    def __init__(self, *args: Any, occurrences: list[Occurrence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_key = {o.original_start.isoformat(): o for o in occurrences}
        self.fields["occurrence"].choices = [  # type: ignore[attr-defined]
            (
                key,
                formats.date_format(o.original_start.astimezone(), "DATETIME_FORMAT")
                + (f" ({o.status})" if o.status != "scheduled" else ""),
            )
            for key, o in self.by_key.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == OccurrenceChange.Status.MOVED and not cleaned.get("new_start"):
            self.add_error("new_start", _("Give the new start time of the moved occurrence."))
        return cleaned

    def original_start(self) -> datetime:
        return self.by_key[self.cleaned_data["occurrence"]].original_start


class CommitmentsForm(forms.Form):
    def __init__(self, *args: Any, current: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for metric in Metric:
            self.fields[metric.value] = forms.DecimalField(
                label=_("%(metric)s per month") % {"metric": metric.label},
                required=False,
                min_value=0,
                max_value=10000,
                decimal_places=1,
                initial=current.get(metric.value),
                help_text=_("Leave empty to publish no commitment for this."),
            )


class VisibilityLogForm(forms.ModelForm):
    class Meta:
        model = VisibilityLog
        fields = ["day", "metric", "amount", "note"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}
