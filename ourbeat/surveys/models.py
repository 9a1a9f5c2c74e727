"""Survey instruments are data, not code: an ``Item`` is one question with its wording per
language, the construct it measures, its response ``Scale`` and its source; an
``Instrument`` is an ordered set of items. Items and instruments are versioned: once an
item has been fielded its wording is frozen, and editing it makes a new version, so results
never mix two wordings. Built-in library rows have no organisation.

A ``Wave`` fields one instrument in some neighbourhoods over a period, through one or more
modes. A ``Response`` is anonymous by design: no account, no IP address, only the
neighbourhood the respondent lives in, the mode, the language and self-declared optional
demographics. An invitation's single-use token is stored only as a hash and deleted when
the response is completed. ``PopulationMargin`` holds an area's population by age band and
by sex, the targets of the weighting."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def translated(texts: dict[str, str] | Any, language: str | None = None) -> str:
    """The text in ``language`` (the active one by default), else English, else any."""
    if not isinstance(texts, dict) or not texts:
        return ""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return str(texts.get(code) or texts.get("en") or next(iter(texts.values())))


def _one_version_each(name: str) -> list[models.BaseConstraint]:
    """Each key has one row per version: in the built-in library (no organisation; NULLs are
    distinct in a unique index, hence the two conditional constraints) and per organisation."""
    return [
        models.UniqueConstraint(
            fields=["key", "version"],
            condition=Q(organisation__isnull=True),
            name=f"one_library_{name}_version",
        ),
        models.UniqueConstraint(
            fields=["organisation", "key", "version"],
            condition=Q(organisation__isnull=False),
            name=f"one_{name}_version_per_organisation",
        ),
    ]


class Construct(models.TextChoices):
    OVERALL_CONFIDENCE = "overall_confidence", _("Overall confidence")
    EFFECTIVENESS = "effectiveness", _("Effectiveness")
    RESPECT = "respect", _("Procedural fairness: respect")
    FAIRNESS = "fairness", _("Procedural fairness: fair treatment")
    VOICE = "voice", _("Procedural fairness: voice")
    EXPLAINING = "explaining", _("Procedural fairness: explaining decisions")
    TRUST = "trust", _("Trust")
    OBLIGATION = "obligation", _("Obligation to obey")
    FEAR_OF_CRIME = "fear_of_crime", _("Fear of crime")
    DISORDER = "disorder", _("Perceived disorder")
    VICTIM_SATISFACTION = "victim_satisfaction", _("Victim satisfaction")
    AWARENESS = "awareness", _("Awareness of the neighbourhood team")
    FOOT_PATROL = "foot_patrol", _("Visibility of foot patrol")
    PARTNERSHIPS = "partnerships", _("Practice: community partnerships")
    ORGANISATION = "organisation", _("Practice: organisational transformation")
    PROBLEM_SOLVING = "problem_solving", _("Practice: problem solving")
    OPEN_ISSUE = "open_issue", _("Open question: the issue to deal with")


class InstrumentKind(models.TextChoices):
    PUBLIC = "public", _("Residents' survey")
    SELF_ASSESSMENT = "self_assessment", _("Officer and partner self-assessment")


class Scale(models.Model):
    """A closed response scale. ``points`` is a list of ``{"value": int, "label": {lang:
    text}}``; ``missing`` lists the values that are not an answer ("don't know"), left out
    of every estimate."""

    key = models.SlugField(_("identifier"), max_length=60, unique=True)
    points = models.JSONField(_("points"))
    missing = models.JSONField(_("not an answer"), default=list, blank=True)

    class Meta:
        verbose_name = _("response scale")
        verbose_name_plural = _("response scales")

    def __str__(self) -> str:
        return self.key

    def labels(self, language: str | None = None) -> list[tuple[int, str]]:
        return [(int(p["value"]), translated(p["label"], language)) for p in self.points]


class Item(models.Model):
    """One question, one version. ``reported`` lists the scale values whose share is
    published (for example "fairly" and "very confident"), described by ``reported_as``."""

    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_items",
        help_text=_("Empty for the built-in library."),
    )
    key = models.SlugField(_("identifier"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    construct = models.CharField(_("construct"), max_length=30, choices=Construct.choices)
    wording = models.JSONField(_("wording per language"))
    scale = models.ForeignKey(
        Scale, verbose_name=_("scale"), null=True, blank=True, on_delete=models.PROTECT
    )
    reported = models.JSONField(_("values reported"), default=list, blank=True)
    reported_as = models.JSONField(_("reported as"), default=dict, blank=True)
    source = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        constraints = _one_version_each("item")

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def is_open(self) -> bool:
        return self.scale_id is None

    def text(self, language: str | None = None) -> str:
        return translated(self.wording, language)


class Instrument(models.Model):
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_instruments",
    )
    key = models.SlugField(_("identifier"), max_length=80)
    version = models.PositiveIntegerField(_("version"), default=1)
    kind = models.CharField(
        _("kind"), max_length=20, choices=InstrumentKind.choices, default=InstrumentKind.PUBLIC
    )
    title = models.JSONField(_("title per language"))
    description = models.JSONField(_("introduction per language"), default=dict, blank=True)
    source = models.TextField(_("source"), blank=True)
    items = models.ManyToManyField(Item, through="InstrumentItem", related_name="instruments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey instrument")
        verbose_name_plural = _("survey instruments")
        constraints = _one_version_each("instrument")

    def __str__(self) -> str:
        return f"{translated(self.title)} v{self.version}"


class InstrumentItem(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "item"], name="item_once_per_instrument"),
            models.UniqueConstraint(
                fields=["instrument", "position"], name="one_item_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}#{self.position}: {self.item_id}"


class Mode(models.TextChoices):
    OPEN_LINK = "open_link", _("Open link")
    INVITED = "invited", _("Invited sample")
    IN_PERSON = "in_person", _("In person, entered by staff")
    PAPER = "paper", _("Paper, entered by staff")


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Wave(models.Model):
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="survey_waves",
    )
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="waves"
    )
    title = models.CharField(_("title"), max_length=200)
    areas = models.ManyToManyField(
        "places.Area", verbose_name=_("neighbourhoods"), related_name="survey_waves"
    )
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    modes = models.JSONField(_("modes"), default=list)
    languages = models.JSONField(_("languages"), default=list)
    # The address of the open link: random, so that waves cannot be guessed in turn.
    link_key = models.CharField(max_length=32, unique=True)
    # Cells with fewer respondents are never published.
    min_cell = models.PositiveIntegerField(_("smallest published cell"), default=10)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """A single-use invitation: only the SHA-256 of its token is kept, and the row is
    deleted when the response is completed, so no response can be linked to an invitee."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"invitation {self.pk} to wave {self.wave_id}"


class AgeBand(models.TextChoices):
    A16_24 = "16-24", _("16 to 24")
    A25_34 = "25-34", _("25 to 34")
    A35_44 = "35-44", _("35 to 44")
    A45_54 = "45-54", _("45 to 54")
    A55_64 = "55-64", _("55 to 64")
    A65 = "65+", _("65 or over")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another way")


class Response(models.Model):
    """One completed questionnaire. Nothing here identifies the respondent."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    area = models.ForeignKey(
        "places.Area", verbose_name=_("neighbourhood"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    language = models.CharField(_("language"), max_length=10)
    # The day only: a time stamp could be matched with a server log or a witness.
    submitted_on = models.DateField(_("submitted"))
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    # Set by weighting when the wave closes (raking to the area's population margins).
    weight = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["wave", "area"], name="response_wave_area")]

    def __str__(self) -> str:
        return f"response {self.pk} to wave {self.wave_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item")
        ]
        indexes = [models.Index(fields=["item", "response"], name="answer_item_response")]

    def __str__(self) -> str:
        return f"answer to {self.item_id} in response {self.response_id}"


class Dimension(models.TextChoices):
    AGE_BAND = "age_band", _("Age")
    SEX = "sex", _("Sex")


class PopulationMargin(models.Model):
    """An area's population in one category of one dimension (for example 1,240 people
    aged 16 to 24): the targets the responses are weighted to."""

    area = models.ForeignKey(
        "places.Area", on_delete=models.CASCADE, related_name="population_margins"
    )
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    category = models.CharField(max_length=10)
    population = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "dimension", "category"], name="one_margin_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.dimension}={self.category}: {self.population}"
