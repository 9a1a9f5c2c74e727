"""Staff forms for forums and meetings. They only shape input; the rules (a meeting in the
past, overlapping meetings in one venue, groups that add up to more than the attendance…) are
the services' and come back as form errors."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ourbeat.concerns.models import Category
from ourbeat.engagement.models import (
    Forum,
    ForumKind,
    Frequency,
    ItemKind,
    Meeting,
    MemberRole,
)
from ourbeat.places.models import Area
from ourbeat.teams.forms import DateTimeLocalInput


def _max(model: Any, field: str) -> int:
    return int(model._meta.get_field(field).max_length or 200)


class ForumForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        help_text=_("The neighbourhood (or district) whose residents the forum serves."),
    )
    kind = forms.ChoiceField(label=_("Kind of forum"), choices=ForumKind.choices)
    name = forms.CharField(label=_("Name"), max_length=_max(Forum, "name"))
    slug = forms.SlugField(
        label=_("Identifier in its address (optional)"),
        max_length=80,
        required=False,
        help_text=_("Made from the name when left empty."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    frequency = forms.ChoiceField(
        label=_("How often it meets"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )
    rrule = forms.CharField(
        label=_("Usual pattern (optional)"),
        max_length=_max(Forum, "rrule"),
        required=False,
        help_text=_("An iCalendar repeat rule, for instance FREQ=MONTHLY;BYDAY=+2TU."),
    )
    usual_venue = forms.CharField(
        label=_("Usual venue"), max_length=_max(Forum, "usual_venue"), required=False
    )
    usual_address = forms.CharField(
        label=_("Usual address"), max_length=_max(Forum, "usual_address"), required=False
    )
    contact = forms.CharField(
        label=_("Public contact"),
        max_length=_max(Forum, "contact"),
        required=False,
        help_text=_("Shown to the public: a team e-mail address or telephone, not a person's."),
    )
    active = forms.BooleanField(label=_("The forum meets"), required=False, initial=True)

    def __init__(self, *args: Any, areas: QuerySet[Area] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if areas is None:
            del self.fields["area"]
        else:
            self.fields["area"].queryset = areas  # type: ignore[attr-defined]
            del self.fields["active"]

    @staticmethod
    def initial_for(forum: Forum) -> dict[str, Any]:
        return {
            name: getattr(forum, name)
            for name in (
                "kind",
                "name",
                "slug",
                "description",
                "frequency",
                "rrule",
                "usual_venue",
                "usual_address",
                "contact",
                "active",
            )
        }


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    represents = forms.CharField(
        label=_("Represents (optional)"),
        max_length=200,
        required=False,
        help_text=_("A residents' association, a school, young people, a faith group…"),
    )
    public = forms.BooleanField(
        label=_("Show the name to the public"), required=False, initial=True
    )


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=_max(Meeting, "title"))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeLocalInput())
    venue = forms.CharField(label=_("Venue"), max_length=_max(Meeting, "venue"), required=False)
    address = forms.CharField(
        label=_("Address"), max_length=_max(Meeting, "address"), required=False
    )
    accessibility = forms.CharField(
        label=_("Accessibility notes"),
        max_length=_max(Meeting, "accessibility"),
        required=False,
        help_text=_("Step-free access, hearing loop, interpreters, childcare…"),
    )
    online_url = forms.CharField(
        label=_("Online link (optional)"),
        max_length=_max(Meeting, "online_url"),
        required=False,
        widget=forms.URLInput(),
    )
    agenda = forms.CharField(
        label=_("Agenda"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    registration_required = forms.BooleanField(label=_("Ask people to register"), required=False)
    capacity = forms.IntegerField(
        label=_("Places (optional)"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Registrations stop when the places are taken."),
    )

    FIELDS = (
        "title",
        "starts_at",
        "ends_at",
        "venue",
        "address",
        "accessibility",
        "online_url",
        "agenda",
        "registration_required",
        "capacity",
    )

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict[str, Any]:
        return {name: getattr(meeting, name) for name in cls.FIELDS}

    @classmethod
    def initial_from_forum(cls, forum: Forum) -> dict[str, Any]:
        return {"title": forum.name, "venue": forum.usual_venue, "address": forum.usual_address}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        max_length=300,
        help_text=_("The public sees this reason."),
    )


GROUP_LINE = re.compile(r"^(?P<name>.+?)\s*[:=]\s*(?P<count>-?\d+)\s*$")


class RecordForm(forms.Form):
    attendance = forms.IntegerField(label=_("How many people attended"), min_value=0)
    attendance_by_group = forms.CharField(
        label=_("Attendance by group (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One group a line, as “group: number”, for instance “young people: 4”. Only what "
            "people chose to tell; it shows who is not being heard."
        ),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=50000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    publish_minutes = forms.BooleanField(
        label=_("Publish the minutes"), required=False, initial=True
    )

    def clean_attendance_by_group(self) -> dict[str, int]:
        groups: dict[str, int] = {}
        for line in self.cleaned_data["attendance_by_group"].splitlines():
            if not line.strip():
                continue
            match = GROUP_LINE.match(line.strip())
            if match is None:
                raise forms.ValidationError(
                    _("Write each line as “group: number”: “%(line)s” is not.")
                    % {"line": line.strip()[:60]}
                )
            count = int(match["count"])
            if count < 0:
                raise forms.ValidationError(_("A group cannot have fewer than no people."))
            name = match["name"].strip()
            groups[name] = groups.get(name, 0) + count
        return groups

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        groups = "\n".join(f"{k}: {v}" for k, v in (meeting.attendance_by_group or {}).items())
        return {
            "attendance": meeting.attendance,
            "attendance_by_group": groups,
            "minutes": meeting.minutes,
            "publish_minutes": meeting.minutes_published_at is not None or not meeting.minutes,
        }


class ItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"), choices=ItemKind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What was raised, decided or reported"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    category = forms.ModelChoiceField(
        label=_("Category (for a concern)"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("A concern raised is also filed as a concern, so it is routed and answered."),
    )
    latitude = forms.FloatField(
        label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("Without a point, the concern is placed at the middle of the forum's area."),
    )

    def __init__(self, *args: Any, categories: QuerySet[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ItemKind.CONCERN and not cleaned.get("category"):
            self.add_error("category", _("Choose the category of the concern."))
        if cleaned.get("kind") and cleaned.get("kind") != ItemKind.CONCERN:
            cleaned["category"] = None
            cleaned["latitude"] = cleaned["longitude"] = None
        return cleaned
