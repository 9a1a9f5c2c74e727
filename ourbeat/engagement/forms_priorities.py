"""Forms of the staff side of priorities: adoption, the lifecycle, provenance, actions and
the votes a meeting took. They check input only; ``services.priorities`` decides and writes.
Each versioned form carries the version the page showed, so a concurrent change is
refused instead of overwritten."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ourbeat.accounts.models import User
from ourbeat.engagement.models import (
    ActionStatus,
    Forum,
    Meeting,
    MeetingItem,
    Priority,
    PriorityStatus,
)
from ourbeat.engagement.services.priorities import (
    MAX_DESCRIPTION,
    MAX_OUTCOME,
    MAX_REASON,
    MAX_RESULT,
    MAX_SUMMARY,
    MAX_SURVEY_ANSWER,
    MAX_TITLE,
    TRANSITIONS,
)
from ourbeat.places.models import Organisation

MAX_VOTES = 100_000


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


def _meeting_label(meeting: Meeting) -> str:
    when = timezone.localtime(meeting.starts_at).strftime("%d %b %Y")
    return f"{meeting.forum.name}: {meeting.title} ({when})"


class PublishForm(VersionedForm):
    """A moderator's reading of a resident's proposal: publish it as it is or corrected."""

    title = forms.CharField(label=_("Priority"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("What the problem is"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Remove anything that names or points at a person. E-mail addresses, phone "
            "numbers and number plates are masked automatically; the original stays in the "
            "audit log."
        ),
    )


class AdoptForm(VersionedForm):
    meeting = forms.ModelChoiceField(
        label=_("Adopted at the meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("Not at a meeting"),
        help_text=_("A meeting that has been held, of a forum covering the neighbourhood."),
    )
    forum = forms.ModelChoiceField(
        label=_("Or by the forum"),
        queryset=Forum.objects.none(),
        required=False,
        empty_label=_("No forum"),
    )

    def __init__(self, *args: Any, meetings: Any, forums: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["meeting"].label_from_instance = _meeting_label  # type: ignore[attr-defined]
        self.fields["forum"].queryset = forums  # type: ignore[attr-defined]


class TransitionForm(VersionedForm):
    to = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(
        label=_("Reason (published)"),
        help_text=_("Required when the priority is dropped."),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.CharField(
        label=_("What was done (published)"),
        required=False,
        max_length=MAX_OUTCOME,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, priority: Priority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = TRANSITIONS.get(priority.status, ())
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in PriorityStatus.choices if value in targets
        ]
        self.fields["outcome"].initial = priority.outcome


class OriginForm(forms.Form):
    concern = forms.CharField(
        label=_("Concern reference"), required=False, max_length=20, help_text=_("e.g. MB-1234")
    )
    meeting_item = forms.ModelChoiceField(
        label=_("Raised at a meeting"),
        queryset=MeetingItem.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    proposal = forms.ModelChoiceField(
        label=_("Merge a proposal"),
        queryset=Priority.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("The proposal is closed, naming this priority; its people hear of it."),
    )
    survey_answer = forms.CharField(
        label=_("Survey answer reference"), required=False, max_length=MAX_SURVEY_ANSWER
    )
    summary = forms.CharField(label=_("Summary"), required=False, max_length=MAX_SUMMARY)

    def __init__(self, *args: Any, items: Any, proposals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting_item"].queryset = items  # type: ignore[attr-defined]
        self.fields["meeting_item"].label_from_instance = (  # type: ignore[attr-defined]
            lambda item: (
                f"{item.meeting.title} ({item.meeting.starts_at:%d %b %Y}): {item.text[:80]}"
            )
        )
        self.fields["proposal"].queryset = proposals  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [
            name
            for name in ("concern", "meeting_item", "proposal", "survey_answer")
            if data.get(name)
        ]
        if len(given) != 1:
            raise forms.ValidationError(_("Name one thing that raised this priority."))
        return data


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Who does it"), queryset=Organisation.objects.none(), empty_label=None
    )
    owner_user = forms.ModelChoiceField(
        label=_("Officer or person (optional)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody named"),
    )
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organisations: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = people  # type: ignore[attr-defined]
        self.fields["owner_user"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.display_name or user.email
        )


class ActionUpdateForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    result = forms.CharField(
        label=_("Public result"),
        required=False,
        max_length=MAX_RESULT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only the neighbourhood team moves the due date."),
    )


class MeetingVoteForm(forms.Form):
    """One vote taken at the meeting: which priority, which question, the counts."""

    priority = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    question = forms.CharField(widget=forms.HiddenInput, max_length=20)
    in_favour = forms.IntegerField(label=_("For"), min_value=0, max_value=MAX_VOTES)
    against = forms.IntegerField(label=_("Against"), min_value=0, max_value=MAX_VOTES)
    abstained = forms.IntegerField(
        label=_("Abstained"), min_value=0, max_value=MAX_VOTES, required=False
    )
