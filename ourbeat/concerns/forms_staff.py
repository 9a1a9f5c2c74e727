"""Forms of the staff side of concerns: triage, handling and moderation. They check input
only; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ourbeat.accounts.models import User
from ourbeat.concerns.models import Category, Concern, ResponseTemplate, Status
from ourbeat.places.models import Organisation

# Statuses staff choose directly; "duplicate" is set by marking a duplicate.
STATUS_CHOICES = [(value, label) for value, label in Status.choices if value != Status.DUPLICATE]


class AssignForm(forms.Form):
    concerns = forms.ModelMultipleChoiceField(
        label=_("Concerns"), queryset=Concern.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (unassign)"),
    )

    def __init__(self, *args: Any, concerns: Any, assignees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concerns"].queryset = concerns  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = _person  # type: ignore[attr-defined]


def _person(user: User) -> str:
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=STATUS_CHOICES)
    text = forms.CharField(
        label=_("Message to the resident (public)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=_("Where to go instead"),
        help_text=_("Required when it is not a police matter."),
        required=False,
        max_length=500,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Status.NOT_POLICE_MATTER and not data.get("note", "").strip():
            self.add_error("note", _("Say where the resident should go instead."))
        return data


class RespondForm(forms.Form):
    text = forms.CharField(
        label=_("Public response"),
        help_text=_("Sent to the resident and published; personal details are masked."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class TemplatePickForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Response template"),
        queryset=ResponseTemplate.objects.none(),
        empty_label=_("Choose a template"),
    )

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        help_text=_("Seen by staff only; never published or sent to the resident."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("New category"), queryset=Category.objects.filter(active=True)
    )
    note = forms.CharField(
        label=_("Note to the resident"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = (  # type: ignore[attr-defined]
            lambda category: f"{category.group_label}: {category.label}"
        )


class DuplicateForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the original concern"),
        help_text=_("For example MIL-26-000042."),
        max_length=20,
    )


class ReferForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organisation.objects.order_by("name")
    )
    note = forms.CharField(label=_("Note for the receiving organisation"), max_length=500)


class PublishForm(forms.Form):
    text = forms.CharField(
        label=_("Text to publish"),
        help_text=_(
            "E-mail addresses, telephone numbers and vehicle registrations are masked "
            "automatically. The original is kept in the audit log."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Why is it hidden?"), max_length=500)


class UpdateEditForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the update"),
        help_text=_("Personal details are masked; the original is kept in the audit log."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
