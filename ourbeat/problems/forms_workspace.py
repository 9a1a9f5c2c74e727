"""Forms of the workspace (notes, documents) and the public summary. They only shape the
input; the services check and store it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen only by the lead force and the partner agencies in the case."),
    )


class DocumentForm(forms.Form):
    upload = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, PNG or JPEG image, text or CSV, or an office document (Word, Excel, "
            "PowerPoint, OpenDocument) without macros. Images lose their metadata."
        ),
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)


class SummaryForm(forms.Form):
    public_title = forms.CharField(label=_("Public title"), max_length=200)
    public_summary = forms.CharField(
        label=_("Public summary"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "No personal data and no exact places: name the street or the estate, never an "
            "address. E-mail addresses, phone numbers and vehicle registrations are masked."
        ),
    )
