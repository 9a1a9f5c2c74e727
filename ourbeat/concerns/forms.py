"""The resident's forms: where and what (step one), then the details (step two), the reply
to the team and the rating of a closed concern."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from ourbeat.concerns.models import Category
from ourbeat.concerns.selectors import active_categories
from ourbeat.concerns.services import MAX_PHOTOS
from ourbeat.core.images import ACCEPTED_FORMATS, PHOTO_MAX_BYTES
from ourbeat.core.text import reads_like_an_emergency
from ourbeat.places.selectors import locate_neighbourhood

MAX_DESCRIPTION = 5000
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class CategorySelect(forms.Select):
    """A native select with optgroups; each option carries its search words for the
    optional filter of report.js."""

    def __init__(self, *args: Any, keywords: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.keywords = keywords or {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        words = self.keywords.get(str(value))
        if words:
            option["attrs"]["data-keywords"] = words
        return option


class PlaceForm(forms.Form):
    """Step one: where it is and what kind of concern it is."""

    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    location_text = forms.CharField(
        label=_("Address or landmark (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example: the bus stop on Mill Lane, behind the library."),
    )
    category = forms.ChoiceField(label=_("What is it about?"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {c.code: c for c in active_categories()}
        groups: dict[str, list[tuple[str, str]]] = {}
        for category in self.categories.values():
            groups.setdefault(category.group_label, []).append((category.code, category.label))
        choices: list[Any] = [("", _("Choose a category"))]
        choices += list(groups.items())
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.widget = CategorySelect(
            choices=choices,
            keywords={
                c.code: f"{c.keywords} {c.name} {c.group}".strip() for c in self.categories.values()
            },
        )

    def clean_category(self) -> Category:
        code = self.cleaned_data["category"]
        category = self.categories.get(code)
        if category is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return category

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        if "lat" in self.errors or "lng" in self.errors:
            return cleaned
        if lat is None or lng is None:
            if cleaned.get("location_text"):
                message = _(
                    "An address or landmark alone is not enough for us to find the place: "
                    "also put a pin on the map, use your location or type the coordinates."
                )
            else:
                message = _(
                    "Show us where it is: put a pin on the map, use your location or type "
                    "the coordinates."
                )
            self.add_error("lat", message)
            return cleaned
        area = locate_neighbourhood(lat, lng)
        if area is None:
            self.add_error("lat", _("That place is outside the neighbourhoods we serve."))
        cleaned["area"] = area
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos, each a JPEG, PNG or WebP image of at most 5 MB (re-encoded by
    the service, which also drops every byte of metadata)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        uploads = [u for u in uploads if u]
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(_("Attach at most 3 photos."))
        errors: list[forms.ValidationError] = []
        for upload in uploads:
            single = super().clean(upload, initial)
            if single.size is not None and single.size > PHOTO_MAX_BYTES:
                errors.append(
                    forms.ValidationError(
                        _("%(name)s is larger than 5 MB."), params={"name": single.name}
                    )
                )
                continue
            try:
                with Image.open(single) as image:
                    kind = image.format
            except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
                kind = None
            single.seek(0)
            if kind not in ACCEPTED_FORMATS:
                errors.append(
                    forms.ValidationError(
                        _("%(name)s is not a JPEG, PNG or WebP photo."),
                        params={"name": single.name},
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return uploads


def _question_field(question: dict[str, Any]) -> forms.Field:
    label = str(question.get("description") or question.get("label") or question.get("code"))
    hint = str(question.get("datatype_description") or "")
    options: dict[str, Any] = {
        "label": label,
        "required": bool(question.get("required")),
        "help_text": hint if hint and hint != label else "",
    }
    values = [(str(v["key"]), str(v.get("name") or v["key"])) for v in question.get("values") or []]
    datatype = question.get("datatype", "string")
    if datatype == "singlevaluelist":
        return forms.ChoiceField(choices=values, widget=forms.RadioSelect, **options)
    if datatype == "multivaluelist":
        return forms.MultipleChoiceField(
            choices=values, widget=forms.CheckboxSelectMultiple, **options
        )
    if datatype == "number":
        return forms.FloatField(**options)
    if datatype == "datetime":
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **options
        )
    if datatype == "text":
        return forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), **options)
    return forms.CharField(max_length=200, **options)


class ReportForm(PlaceForm):
    """Step two: the place and category carried over (hidden), then the details."""

    description = forms.CharField(
        label=_("Describe the concern"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happens, when, and how it affects you. Up to 5000 characters."),
    )
    photos = PhotosField(
        label=_("Photos (optional, up to 3)"),
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB each. We remove the location and other "
            "details stored in the files."
        ),
    )
    show_name = forms.ChoiceField(
        label=_("May we show your name with the concern?"),
        choices=[("no", _("No, keep my name private")), ("yes", _("Yes, show my name"))],
        initial="no",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=150)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send a link to confirm the report, then the updates. We never publish it."),
    )
    phone = forms.CharField(label=_("Telephone (optional)"), required=False, max_length=40)
    not_emergency = forms.BooleanField(
        label=_("This is not an emergency: no one is in danger and no crime is happening now."),
        required=False,
    )
    # A field people never see; naive bots fill in every field.
    url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput)

    PLACE_FIELDS = ("lat", "lng", "location_text", "category")

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emergency_warning = False
        for name in self.PLACE_FIELDS:
            self.fields[name].widget = forms.HiddenInput()
        if signed_in:
            self.fields["email"].required = False
            self.fields["email"].label = _("Your e-mail address (optional)")
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))
        self.question_names: list[str] = []
        category = self.categories.get(
            str(self.data.get("category") or self.initial.get("category") or "")
        )
        if category is not None:
            for question in category.questions or []:
                if not isinstance(question, dict) or not question.get("code"):
                    continue
                name = f"answer_{question['code']}"
                self.fields[name] = _question_field(question)
                self.question_names.append(name)

    @property
    def honeypot_filled(self) -> bool:
        return bool(str(self.data.get("url", "")).strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        description = cleaned.get("description") or ""
        if reads_like_an_emergency(description) and not cleaned.get("not_emergency"):
            self.emergency_warning = True
            self.add_error(
                "not_emergency",
                _(
                    "What you wrote sounds like an emergency or a crime happening now. If "
                    "so, call the emergency number now. If it is not an emergency, tick "
                    "this box and send the report again."
                ),
            )
        return cleaned

    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for name in self.question_names:
            value = self.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            answers[name.removeprefix("answer_")] = value
        return answers

    def questions(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply to the team"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The team handling your concern will read it. It is not published."),
    )


class RatingForm(forms.Form):
    resolved = forms.ChoiceField(
        label=_("Was the problem resolved?"), choices=YES_NO, widget=forms.RadioSelect
    )
    satisfied = forms.TypedChoiceField(
        label=_("How satisfied are you with the response?"),
        choices=[
            ("5", _("5 – very satisfied")),
            ("4", _("4 – satisfied")),
            ("3", _("3 – neither satisfied nor dissatisfied")),
            ("2", _("2 – dissatisfied")),
            ("1", _("1 – very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    respectful = forms.ChoiceField(
        label=_("Were you treated with respect?"), choices=YES_NO, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
