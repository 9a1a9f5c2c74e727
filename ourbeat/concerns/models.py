"""Community concerns: what residents raise, who must respond and by when, and the thread
from report to resolution. The reporter's identity lives in its own table (``Reporter``)
that no public page, feed, export or API reads."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A kind of concern, configured per organisation, with its published response
    commitment and extra questions (Open311 attributes). Names and descriptions are data,
    so their translations are data too: ``translations = {"ru": {"name": …, "group": …}}``."""

    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    code = models.SlugField(_("service code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    group = models.CharField(_("group"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    keywords = models.CharField(
        _("search words"), max_length=300, blank=True, help_text=_("Other words people use.")
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Never shown on a public map.")
    )
    public_resolution = models.PositiveSmallIntegerField(
        _("public map precision (H3 resolution)"),
        default=9,
        validators=[MinValueValidator(5), MaxValueValidator(10)],
        help_text=_("Public locations are snapped to the centre of a cell this size."),
    )
    first_response_days = models.PositiveSmallIntegerField(
        _("first response within (working days)"), default=2
    )
    resolution_plan_days = models.PositiveSmallIntegerField(
        _("resolution plan within (working days)"), default=10
    )
    # Open311 attributes: [{"code", "label", "datatype", "required", "values": [{"key","name"}]}]
    questions = models.JSONField(_("extra questions"), default=list, blank=True)
    active = models.BooleanField(_("open for reports"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["group", "order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def _translated(self, field: str) -> str:
        language = (get_language() or "en").split("-")[0]
        return str(self.translations.get(language, {}).get(field) or getattr(self, field))

    @property
    def label(self) -> str:
        return self._translated("name")

    @property
    def group_label(self) -> str:
        return self._translated("group")

    @property
    def description_label(self) -> str:
        return self._translated("description")


class RoutingRule(models.Model):
    """Who responds to a category where: the most specific matching area wins
    (neighbourhood, then district, then service area, then the rule with no area)."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="routes"
    )
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    responsible = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("responsible organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["category", "area"], name="one_route_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.area or '*'} → {self.responsible}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    ACTION_SCHEDULED = "action_scheduled", _("Action scheduled")
    RESOLVED = "resolved", _("Resolved")
    NOT_POLICE_MATTER = "not_police_matter", _("Not a police matter")
    DUPLICATE = "duplicate", _("Duplicate")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.ACTION_SCHEDULED}
)


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    OPEN311 = "open311", _("Open311 app")
    MEETING = "meeting", _("Meeting")
    PHONE = "phone", _("Telephone")


class Concern(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="concerns"
    )
    area = models.ForeignKey(
        "places.Area",
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    responsible = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    # The exact point is for the staff handling it; the public sees ``public_cell`` only.
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    public_cell = models.BigIntegerField(null=True, blank=True, db_index=True)
    location_text = models.CharField(_("address or landmark"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=5000)
    # Published text: moderated, with e-mail addresses, phone numbers and plates masked.
    public_text = models.TextField(_("published text"), blank=True)
    answers = models.JSONField(_("answers to the category's questions"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    status_note = models.CharField(_("where to go instead"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The published response commitment, in working days from the day of the report, stored so
    # that the overdue queue is one indexed query (``selectors.commitment_due_dates``); set at
    # submission and again when the category changes.
    first_response_due = models.DateField(_("first response due"), null=True, blank=True)
    resolution_plan_due = models.DateField(_("resolution plan due"), null=True, blank=True)
    # The first public word from staff (a status change such as acknowledging it, a response,
    # or a change of category with its note to the resident) meets the first commitment.
    first_responded_at = models.DateTimeField(_("first responded"), null=True, blank=True)
    supporters = models.PositiveIntegerField(_("residents who added their voice"), default=0)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("reported"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [
            models.Index(fields=["responsible", "status"]),
            # Open311 ``GET requests``: one service code, a date window, newest first.
            models.Index(fields=["category", "created_at"], name="concern_category_created"),
            # The public map: a district's concerns counted per public cell and status,
            # answered from the index alone (bench/concern_map.py).
            models.Index(
                fields=["area", "public_cell", "status", "category", "published_at", "hidden"],
                name="concern_map_cells",
            ),
            # The overdue queue: open statuses whose commitment date has passed (closed
            # concerns, nearly all of the old ones, are never read).
            models.Index(
                fields=["status", "first_response_due"], name="concern_first_response_due"
            ),
            models.Index(fields=["status", "resolution_plan_due"], name="concern_plan_due"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("concerns:detail", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and not self.hidden


class Reporter(models.Model):
    """Who raised a concern: held apart, shown to handling staff only (each view is logged),
    never published. ``token_hash`` secures the e-mailed confirm, reply and rating links."""

    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="reporter")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    show_name = models.BooleanField(_("name may be shown"), default=False)
    token_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")

    def __str__(self) -> str:
        return f"reporter of {self.concern_id}"


class Photo(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="concerns/%Y/%m/")
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.concern_id}"


class UpdateKind(models.TextChoices):
    RESPONSE = "response", _("Response")
    STATUS = "status", _("Status change")
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply from the resident")
    REFERRAL = "referral", _("Referral")
    MODERATION = "moderation", _("Moderation")


class Update(models.Model):
    """One entry of the concern's thread. ``public`` entries are published (text masked);
    internal notes and residents' replies stay on the staff side."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=12, choices=UpdateKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    text = models.TextField(max_length=5000, blank=True)
    public = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.concern_id} {self.kind} {self.created_at:%Y-%m-%d}"


class Referral(models.Model):
    """The concern was passed to another organisation; the sender keeps read access."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "places.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "places.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.concern_id}: {self.from_organisation_id} → {self.to_organisation_id}"


class Rating(models.Model):
    """The resident's verdict on a closed concern; feeds the accountability figures."""

    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="rating")
    resolved = models.BooleanField(_("was it resolved?"))
    satisfied = models.PositiveSmallIntegerField(
        _("how satisfied are you?"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    respectful = models.BooleanField(_("were you treated with respect?"))
    comment = models.CharField(_("anything else?"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"rating of {self.concern_id}"


class ResponseTemplate(models.Model):
    organisation = models.ForeignKey(
        "places.Organisation", on_delete=models.CASCADE, related_name="response_templates"
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=3000)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
