"""The surveys models in the Django admin, for site administrators: the neighbourhoods'
population margins, the targets of the weighting (by age band and by sex), which have no
staff page yet. Every save and delete is written to the audit log (``AuditedAdmin``).

Waves, invitations and responses are not here: waves are set up and run through the staff
pages and their services, and responses are anonymous data that nobody edits. Items and
instruments are not either: once fielded, their wording is frozen, and a change makes a new
version through the instruments' services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ourbeat.core.admin import AuditedAdmin
from ourbeat.surveys.models import AgeBand, Dimension, PopulationMargin, Sex

CATEGORIES = {Dimension.AGE_BAND.value: AgeBand, Dimension.SEX.value: Sex}


class PopulationMarginForm(forms.ModelForm):
    class Meta:
        model = PopulationMargin
        fields = ["area", "dimension", "category", "population"]
        help_texts = {
            "category": _(
                "An age band (16-24, 25-34, 35-44, 45-54, 55-64, 65+) or a sex (female, male, "
                "other), as respondents declare them."
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choices = CATEGORIES.get(data.get("dimension", ""))
        if choices is not None and data.get("category") not in choices.values:
            self.add_error(
                "category",
                _("Use one of: %(values)s.") % {"values": ", ".join(choices.values)},
            )
        return data


@admin.register(PopulationMargin)
class PopulationMarginAdmin(AuditedAdmin):
    form = PopulationMarginForm
    list_display = ["area", "dimension", "category", "population"]
    list_filter = ["dimension"]
    search_fields = ["area__name", "area__code"]
    autocomplete_fields = ["area"]
    ordering = ["area__name", "dimension", "category"]
