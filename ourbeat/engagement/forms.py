"""The resident's forms of the engagement app: propose a priority, register for a meeting,
vote that a priority is resolved. Staff forms live in forms_meetings.py and
forms_priorities.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ourbeat.engagement.models import Priority, Registration

TITLE_MAX = Priority._meta.get_field("title").max_length or 200
DESCRIPTION_MAX = 4000


def _no_control_characters(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise forms.ValidationError(_("Please remove the control characters from the text."))
    return value


class ProposeForm(forms.Form):
    title = forms.CharField(
        label=_("What should the neighbourhood's priority be?"),
        help_text=_("A short name for the problem, for instance “Speeding on Mill Lane”."),
        max_length=TITLE_MAX,
        min_length=5,
    )
    description = forms.CharField(
        label=_("What is the problem, and where? (optional)"),
        help_text=_(
            "Please do not name anyone or give phone numbers: what you write here is public."
        ),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_title(self) -> str:
        return _no_control_characters(self.cleaned_data["title"].strip())

    def clean_description(self) -> str:
        return _no_control_characters(self.cleaned_data["description"].strip())


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=Registration._meta.get_field("name").max_length or 150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Only the organisers see your name and e-mail address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    needs = forms.CharField(
        label=_("Anything we should arrange for you? (optional)"),
        help_text=_("For instance step-free access, a hearing loop or an interpreter."),
        max_length=Registration._meta.get_field("needs").max_length or 300,
        required=False,
    )

    def clean_name(self) -> str:
        return _no_control_characters(self.cleaned_data["name"].strip())

    def clean_needs(self) -> str:
        return _no_control_characters(self.cleaned_data["needs"].strip())


class VoteForm(forms.Form):
    CHOICES = [("yes", _("Yes, it is resolved")), ("no", _("No, not yet"))]

    in_favour = forms.ChoiceField(
        label=_("Has this priority been dealt with?"),
        choices=CHOICES,
        widget=forms.RadioSelect,
    )

    def vote(self) -> bool:
        value: Any = self.cleaned_data["in_favour"]
        return bool(value == "yes")
