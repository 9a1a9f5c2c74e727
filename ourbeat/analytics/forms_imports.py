"""Forms of the staff import pages: uploading files to import, and saving a column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ourbeat.analytics.importing import MAPPING_FIELDS, MAPPING_REQUIRED
from ourbeat.analytics.models import ColumnMapping, IncidentSource
from ourbeat.analytics.services import UPLOAD_SOURCES, max_upload_bytes
from ourbeat.places.models import Organisation


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single(None, initial)]
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def _organisation_field(organisations: QuerySet[Organisation]) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=organisations,
        label=_("Organisation"),
        help_text=_("Whose incidents these are."),
        empty_label=None,
    )


def _mapping_with_organisation(mapping: ColumnMapping) -> str:
    return f"{mapping.name} ({mapping.organisation.name})"


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    source = forms.ChoiceField(
        label=_("Kind of file"),
        widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in UPLOAD_SOURCES],
        initial=IncidentSource.POLICEUK_STREET.value,
    )
    mapping = forms.ModelChoiceField(
        queryset=ColumnMapping.objects.none(),
        required=False,
        label=_("Column mapping"),
        help_text=_("For a CSV with a saved column mapping only."),
    )
    uploads = MultipleFileField(label=_("Files"))

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        mappings: QuerySet[ColumnMapping],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.single_organisation = organisations.first() if organisations.count() == 1 else None
        if self.single_organisation is not None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"] = _organisation_field(organisations)
        mapping_field = self.fields["mapping"]
        assert isinstance(mapping_field, forms.ModelChoiceField)
        mapping_field.queryset = mappings.select_related("organisation").order_by(
            "organisation__name", "name"
        )
        if self.single_organisation is None:
            mapping_field.label_from_instance = _mapping_with_organisation  # type: ignore[method-assign,assignment]
        self.fields["uploads"].help_text = _(
            "One or more CSV files (UTF-8), at most %(limit)s MB each. police.uk's monthly "
            "files are recognised by their header."
        ) % {"limit": max_upload_bytes() // (1024 * 1024)}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        organisation = data.get("organisation") or self.single_organisation
        data["organisation"] = organisation
        mapping = data.get("mapping")
        if data.get("source") == IncidentSource.CSV:
            if mapping is None:
                self.add_error("mapping", _("Choose the column mapping of this CSV file."))
            elif organisation is not None and mapping.organisation_id != organisation.pk:
                self.add_error("mapping", _("This mapping belongs to another organisation."))
        return data


FIELD_LABELS = {
    "category": _("Category"),
    "date": _("Date"),
    "time": _("Time"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "location_text": _("Location description"),
    "crime_id": _("Crime reference"),
    "victim": _("Victim reference"),
    "outcome": _("Outcome"),
}
COLUMN_LABELS = {
    "category": _("Category column"),
    "date": _("Date column"),
    "time": _("Time column"),
    "latitude": _("Latitude column"),
    "longitude": _("Longitude column"),
    "location_text": _("Location description column"),
    "crime_id": _("Crime reference column"),
    "victim": _("Victim reference column"),
    "outcome": _("Outcome column"),
}
FIELD_HINTS = {
    "category": _(
        "police.uk's crime types (Burglary, Anti-social behaviour…) and the category names "
        "(burglary, anti-social-behaviour…) are known; translate others below."
    ),
    "time": _("If the date column has no time: a column like 21:45."),
    "crime_id": _("A reference unique to each crime: it tells a row imported again."),
    "victim": _(
        "Never stored: it becomes a keyed code, the same for the same victim, so that repeat "
        "victims can be counted."
    ),
}


class MappingForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Saving a mapping under a name it already has replaces that mapping."),
    )
    date_format = forms.CharField(
        label=_("Date format"),
        max_length=40,
        required=False,
        help_text=_(
            "How the date column is written, e.g. %d/%m/%Y or %d/%m/%Y %H:%M. Empty: ISO 8601 "
            "(2024-05-31, 2024-05-31T21:45 or 2024-05)."
        ),
    )
    category_values = forms.CharField(
        label=_("Categories in the file"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: the value in the file = its category, e.g. “Burglary - "
            "dwelling = burglary”."
        ),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.single_organisation = organisations.first() if organisations.count() == 1 else None
        if self.single_organisation is not None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"] = _organisation_field(organisations)
        # One text field per mapped field, after the name and before the date format.
        fields = dict(self.fields)
        ordered: dict[str, forms.Field] = {}
        for key, value in fields.items():
            if key == "date_format":
                for name in MAPPING_FIELDS:
                    ordered[f"column_{name}"] = forms.CharField(
                        label=COLUMN_LABELS[name],
                        max_length=200,
                        required=name in MAPPING_REQUIRED,
                        help_text=FIELD_HINTS.get(name, _("Its header, as written in the file.")),
                    )
            ordered[key] = value
        self.fields = ordered

    def clean_category_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["category_values"].splitlines(), 1):
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(_("Line %(line)s has no “=”.") % {"line": number})
            value, category = line.rsplit("=", 1)
            values[value.strip()] = category.strip()
        return values

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["organisation"] = data.get("organisation") or self.single_organisation
        data["columns"] = {name: data.get(f"column_{name}", "") for name in MAPPING_FIELDS}
        return data
