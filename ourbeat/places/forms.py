from __future__ import annotations

import math
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class LocateForm(forms.Form):
    """Coordinates typed by hand or filled in by "use my location"."""

    lat = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("lat", "lng"):
            value = cleaned.get(name)
            if value is not None and (math.isnan(value) or math.isinf(value)):
                self.add_error(name, _("Enter a number."))
        return cleaned
