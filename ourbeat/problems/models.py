"""Problem-solving case files (SARA: scanning, analysis, response, assessment), shared by the
lead police organisation and the partner agencies that are members of the case.

Everything in a case is restricted to the lead organisation's staff in scope and the staff of
member agencies; only the public summary, once published, is shown to the public.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    SCANNING = "scanning", _("Scanning")
    ANALYSIS = "analysis", _("Analysis")
    RESPONSE = "response", pgettext_lazy("problem stage", "Response")
    ASSESSMENT = "assessment", _("Assessment")
    CLOSED = "closed", pgettext_lazy("problem stage", "Closed")


# The stages follow SARA with its loops back: an assessment may adjust the response,
# re-analyse or re-scan, and a closed case may be reopened at scanning.
STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.SCANNING: frozenset({Stage.ANALYSIS, Stage.CLOSED}),
    Stage.ANALYSIS: frozenset({Stage.SCANNING, Stage.RESPONSE, Stage.CLOSED}),
    Stage.RESPONSE: frozenset({Stage.ANALYSIS, Stage.ASSESSMENT, Stage.CLOSED}),
    Stage.ASSESSMENT: frozenset({Stage.SCANNING, Stage.ANALYSIS, Stage.RESPONSE, Stage.CLOSED}),
    Stage.CLOSED: frozenset({Stage.SCANNING}),
}


class OriginKind(models.TextChoices):
    HOT_SPOT = "hot_spot", _("A hot spot")
    CONCERNS = "concerns", _("A cluster of similar concerns")
    PRIORITY = "priority", _("A neighbourhood priority")
    MANUAL = "manual", _("Opened by hand")


class CheersElement(models.TextChoices):
    """The CHEERS test of a problem (Clarke and Eck): each element is met or not, with why."""

    COMMUNITY = "community", _("Community: members of the public are affected")
    HARM = "harm", _("Harm: people or property are hurt, or fear it")
    EXPECTATION = "expectation", _("Expectation: the public expects the police to act")
    EVENTS = "events", _("Events: it is made of discrete events")
    RECURRING = "recurring", _("Recurring: the events keep happening")
    SIMILARITY = "similarity", _("Similarity: the events are alike")


# The elements' names alone, for "fails the CHEERS test: Harm, Recurring".
CHEERS_SHORT_LABELS: dict[str, Any] = {
    CheersElement.COMMUNITY: _("Community"),
    CheersElement.HARM: _("Harm"),
    CheersElement.EXPECTATION: _("Expectation"),
    CheersElement.EVENTS: _("Events"),
    CheersElement.RECURRING: _("Recurring"),
    CheersElement.SIMILARITY: _("Similarity"),
}


class SimilarityKind(models.TextChoices):
    BEHAVIOUR = "behaviour", _("Behaviour")
    PLACE = "place", _("Place")
    PERSON = "person", _("Person")
    TIME = "time", _("Time")


class CheersState(models.TextChoices):
    INCOMPLETE = "incomplete", _("Not yet recorded")
    PASSES = "passes", _("Passes the CHEERS test")
    FAILS = "fails", _("Fails the CHEERS test")


class Problem(models.Model):
    """A problem-solving case. ``organisation`` leads it (a police service); ``area`` is the
    neighbourhood or district it is in; ``cells`` (H3 at ``resolution``) are the problem
    place, where the linked measure (incidents of ``categories``) is counted."""

    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    area = models.ForeignKey(
        "places.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.SCANNING
    )
    origin_kind = models.CharField(
        _("opened from"), max_length=20, choices=OriginKind.choices, default=OriginKind.MANUAL
    )
    # What it was opened from: {"run": pk, "cell": "89…"} for a hot spot, and so on.
    origin_detail = models.JSONField(default=dict, blank=True)
    priority = models.ForeignKey(
        "engagement.Priority",
        verbose_name=_("priority"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    concerns = models.ManyToManyField(
        "concerns.Concern", verbose_name=_("concerns"), blank=True, related_name="problems"
    )
    # Incident category slugs (police.uk's, "burglary"): the measure of the problem.
    categories = models.JSONField(_("incident categories"), default=list, blank=True)
    cells = models.JSONField(_("problem place (H3 cells)"), default=list, blank=True)
    resolution = models.PositiveSmallIntegerField(_("H3 resolution"), default=9)
    # {"community": {"met": true, "note": "…"}, …, "similarity": {…, "kinds": ["place"]}}
    cheers = models.JSONField(_("CHEERS test"), default=dict, blank=True)
    analysis_summary = models.TextField(_("what the analysis found"), max_length=8000, blank=True)
    current_responses = models.TextField(_("current responses"), max_length=8000, blank=True)
    analysed_at = models.DateTimeField(_("analysis recorded"), null=True, blank=True)
    public_title = models.CharField(_("public title"), max_length=200, blank=True)
    public_summary = models.TextField(_("public summary"), max_length=8000, blank=True)
    public_published_at = models.DateTimeField(_("summary published"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["organisation", "stage"], name="problem_org_stage")]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        return f"P{self.pk:05d}"

    @property
    def cheers_state(self) -> str:
        """Passes when every element is met; fails when any is recorded as not met."""
        recorded = [self.cheers.get(element, {}).get("met") for element in CheersElement.values]
        if any(met is False for met in recorded):
            return CheersState.FAILS
        if all(met is True for met in recorded):
            return CheersState.PASSES
        return CheersState.INCOMPLETE

    @property
    def cheers_failed(self) -> list[str]:
        return [
            element
            for element in CheersElement.values
            if self.cheers.get(element, {}).get("met") is False
        ]

    @property
    def has_analysis(self) -> bool:
        return self.analysed_at is not None


class CaseMember(models.Model):
    """A partner agency in the case, with its role ("manages the estate")."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="case_memberships",
    )
    role = models.CharField(_("role in the case"), max_length=200)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("case member")
        verbose_name_plural = _("case members")
        constraints = [
            models.UniqueConstraint(fields=["problem", "organisation"], name="unique_case_member")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"


class TriangleSide(models.TextChoices):
    OFFENDER = "offender", _("Offender")
    TARGET = "target", _("Target or victim")
    PLACE = "place", _("Place")


# Each side of the problem analysis triangle has its controller (Eck's outer triangle).
CONTROLLER_OF_SIDE: dict[str, Any] = {
    TriangleSide.OFFENDER: _("Handler"),
    TriangleSide.TARGET: _("Guardian"),
    TriangleSide.PLACE: _("Manager"),
}


class Effectiveness(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    ABSENT = "absent", _("Absent")
    WEAK = "weak", _("Weak")
    MODERATE = "moderate", _("Moderate")
    STRONG = "strong", _("Strong")


class TriangleEntry(models.Model):
    """One side of the problem analysis triangle: who or what, and its controller (handler of
    the offender, guardian of the target, manager of the place) and how effective they are."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="triangle"
    )
    side = models.CharField(_("side"), max_length=10, choices=TriangleSide.choices)
    description = models.TextField(_("description"), max_length=4000)
    controller = models.CharField(_("controller"), max_length=300, blank=True)
    effectiveness = models.CharField(
        _("how effective the controller is"),
        max_length=10,
        choices=Effectiveness.choices,
        default=Effectiveness.UNKNOWN,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["side", "pk"]
        verbose_name = _("triangle entry")
        verbose_name_plural = _("triangle entries")

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {self.description[:60]}"


class HypothesisResult(models.TextChoices):
    UNTESTED = "untested", _("Not yet tested")
    SUPPORTED = "supported", _("Supported")
    REFUTED = "refuted", _("Refuted")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Hypothesis(models.Model):
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="hypotheses"
    )
    statement = models.TextField(_("hypothesis"), max_length=2000)
    test_data = models.TextField(_("data that tests it"), max_length=2000, blank=True)
    result = models.CharField(
        _("result"),
        max_length=15,
        choices=HypothesisResult.choices,
        default=HypothesisResult.UNTESTED,
    )
    finding = models.TextField(_("finding"), max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("hypothesis")
        verbose_name_plural = _("hypotheses")

    def __str__(self) -> str:
        return self.statement[:80]


class TechniqueGroup(models.TextChoices):
    EFFORT = "effort", _("Increase the effort")
    RISKS = "risks", _("Increase the risks")
    REWARDS = "rewards", _("Reduce the rewards")
    PROVOCATIONS = "provocations", _("Reduce provocations")
    EXCUSES = "excuses", _("Remove excuses")
    OTHER = "other", _("Other")


class Technique(models.TextChoices):
    """The 25 techniques of situational crime prevention (Cornish and Clarke 2003)."""

    TARGET_HARDENING = "target_hardening", _("Target harden")
    ACCESS_CONTROL = "access_control", _("Control access to facilities")
    SCREEN_EXITS = "screen_exits", _("Screen exits")
    DEFLECT_OFFENDERS = "deflect_offenders", _("Deflect offenders")
    CONTROL_TOOLS = "control_tools", _("Control tools and weapons")
    EXTEND_GUARDIANSHIP = "extend_guardianship", _("Extend guardianship")
    NATURAL_SURVEILLANCE = "natural_surveillance", _("Assist natural surveillance")
    REDUCE_ANONYMITY = "reduce_anonymity", _("Reduce anonymity")
    PLACE_MANAGERS = "place_managers", _("Utilise place managers")
    FORMAL_SURVEILLANCE = "formal_surveillance", _("Strengthen formal surveillance")
    CONCEAL_TARGETS = "conceal_targets", _("Conceal targets")
    REMOVE_TARGETS = "remove_targets", _("Remove targets")
    IDENTIFY_PROPERTY = "identify_property", _("Identify property")
    DISRUPT_MARKETS = "disrupt_markets", _("Disrupt markets")
    DENY_BENEFITS = "deny_benefits", _("Deny benefits")
    REDUCE_FRUSTRATION = "reduce_frustration", _("Reduce frustrations and stress")
    AVOID_DISPUTES = "avoid_disputes", _("Avoid disputes")
    REDUCE_AROUSAL = "reduce_arousal", _("Reduce emotional arousal")
    NEUTRALISE_PEER_PRESSURE = "neutralise_peer_pressure", _("Neutralise peer pressure")
    DISCOURAGE_IMITATION = "discourage_imitation", _("Discourage imitation")
    SET_RULES = "set_rules", _("Set rules")
    POST_INSTRUCTIONS = "post_instructions", _("Post instructions")
    ALERT_CONSCIENCE = "alert_conscience", _("Alert conscience")
    ASSIST_COMPLIANCE = "assist_compliance", _("Assist compliance")
    CONTROL_DRUGS_ALCOHOL = "control_drugs_alcohol", _("Control drugs and alcohol")
    OTHER = "other", _("Other response")


_GROUP_ORDER = [
    TechniqueGroup.EFFORT,
    TechniqueGroup.RISKS,
    TechniqueGroup.REWARDS,
    TechniqueGroup.PROVOCATIONS,
    TechniqueGroup.EXCUSES,
]
# Five techniques per group, in the published table's order; "other" stands alone.
TECHNIQUE_GROUP: dict[str, str] = {
    technique: _GROUP_ORDER[index // 5] for index, technique in enumerate(list(Technique)[:25])
}
TECHNIQUE_GROUP[Technique.OTHER] = TechniqueGroup.OTHER


class Response(models.Model):
    """A response chosen for the problem, by technique, with the organisation that leads it."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="responses"
    )
    technique = models.CharField(_("technique"), max_length=30, choices=Technique.choices)
    description = models.TextField(_("what will be done"), max_length=4000)
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("led by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.get_technique_display()}: {self.description[:60]}"

    @property
    def group(self) -> str:
        return TECHNIQUE_GROUP[self.technique]


class Goal(models.Model):
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="goals"
    )
    text = models.CharField(_("goal"), max_length=500)
    # A reduction of the linked measure, in percent, when the goal is numeric.
    target_reduction_percent = models.PositiveSmallIntegerField(
        _("target reduction (%)"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class Task(models.Model):
    """A task for a named partner (or the lead force), with a due date. Staff of the owning
    organisation update it; the case's lead staff manage every task."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="tasks"
    )
    response = models.ForeignKey(
        Response,
        verbose_name=_("response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    title = models.CharField(_("task"), max_length=300)
    organisation = models.ForeignKey(
        "places.Organisation",
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        related_name="problem_tasks",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=15, choices=TaskStatus.choices, default=TaskStatus.PLANNED
    )
    note = models.TextField(_("progress note"), max_length=4000, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class Decision(models.TextChoices):
    CLOSE = "close", _("Close the case")
    ADJUST = "adjust", _("Adjust the response")
    REANALYSE = "reanalyse", _("Analyse again")
    RESCAN = "rescan", _("Scan again")


DECISION_STAGE: dict[str, str] = {
    Decision.CLOSE: Stage.CLOSED,
    Decision.ADJUST: Stage.RESPONSE,
    Decision.REANALYSE: Stage.ANALYSIS,
    Decision.RESCAN: Stage.SCANNING,
}


class Assessment(models.Model):
    """Process and impact: the measure in the problem place (A), its buffer (B: ``buffer_rings``
    rings of H3 cells around it) and the comparison area (C) before and after, the weighted
    displacement quotient (Bowers and Johnson 2003) in ``figures``, and the decision."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="assessments"
    )
    before_start = models.DateField(_("before: from"))
    before_end = models.DateField(_("before: to"))
    after_start = models.DateField(_("after: from"))
    after_end = models.DateField(_("after: to"))
    comparison_area = models.ForeignKey(
        "places.Area",
        verbose_name=_("comparison area"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    buffer_rings = models.PositiveSmallIntegerField(_("buffer width (rings of cells)"), default=2)
    categories = models.JSONField(_("measure: incident categories"), default=list, blank=True)
    # Counts and derived figures, computed when the assessment is recorded (see assessment.py).
    figures = models.JSONField(default=dict, blank=True)
    process_note = models.TextField(
        _("were the tasks done as planned?"), max_length=4000, blank=True
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decision_note = models.TextField(_("why"), max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.problem} {self.after_start:%Y-%m}–{self.after_end:%Y-%m}"


class Note(models.Model):
    """A note in the case's restricted workspace."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "places.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"), max_length=8000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return self.text[:60]


class Document(models.Model):
    """A document in the case's restricted workspace. Stored under a random name outside the
    public media; served only as a download to those who may read the case."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="documents"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "places.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    # The path under settings.OURBEAT_PRIVATE_DIR (random; never derived from the upload's name).
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title
