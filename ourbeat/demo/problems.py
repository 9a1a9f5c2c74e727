"""Three worked problem-solving cases in the demo town, at different stages of SARA, written
through the same services as real cases (and by the demo's own accounts):

- a burglary case opened from a burglary hot spot that the hot-spot analysis (Gi*) finds in
  the demo's incidents, at the Response stage: CHEERS passed, a problem analysis triangle
  and hypotheses, two responses (target hardening, place managers), the council as a
  member with two tasks, one done and one overdue;
- an anti-social behaviour case opened from a cluster of similar concerns in one
  neighbourhood, at the Analysis stage, with the youth service as a member;
- a closed case on the planted diminishing criminal damage hot spot, with an assessment
  (before and after, against its district, with the weighted displacement quotient) and a
  published public summary.

Everything is derived from the demo's data and ``today``, so the same seed gives the same
cases."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import h3

from ourbeat.accounts.models import User
from ourbeat.analytics.analyses import hotspots_of_events, study_polygons
from ourbeat.analytics.events import EventQuery, load_events
from ourbeat.concerns.models import Concern
from ourbeat.demo.incidents import Planted, PlantedHotSpot
from ourbeat.places.models import Area, Organisation
from ourbeat.places.selectors import locate_neighbourhood
from ourbeat.problems import services as cases
from ourbeat.problems import services_assessment as assessing
from ourbeat.problems import services_response as responding
from ourbeat.problems import services_workspace as workspace
from ourbeat.problems.models import (
    CheersElement,
    Decision,
    Effectiveness,
    HypothesisResult,
    OriginKind,
    Problem,
    Stage,
    TaskStatus,
    Technique,
    TriangleSide,
)

LEAD_EMAIL = "analyst@demo.ourbeat.example"
PARTNER_EMAIL = "council@demo.ourbeat.example"
COUNCIL_SLUG = "millbrook-council"
HOMES_SLUG = "millbrook-homes"
YOUTH_SLUG = "millbrook-youth"
BURGLARY = "burglary"
RESOLUTION = 9
# Concerns about anti-social behaviour: the categories a cluster is looked for in.
ASB_CONCERN_CATEGORIES = ("asb-groups", "asb-noise", "asb-vandalism")
CLUSTER_SIZE = 8


@dataclass
class DemoProblems:
    """The worked cases (None when the demo data holds nothing to open one from)."""

    burglary: Problem | None
    asb: Problem | None
    closed: Problem | None


def _months_back(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _cheers(notes: dict[str, str], kinds: list[str]) -> dict[str, Any]:
    """Every element met, with its note; similarity with its kinds."""
    answers: dict[str, Any] = {
        element: {"met": True, "note": notes.get(element, "")} for element in CheersElement.values
    }
    answers[CheersElement.SIMILARITY]["kinds"] = kinds
    return answers


def _move(lead: User, problem: Problem, *stages: str) -> None:
    for stage in stages:
        cases.problem_move(actor=lead, problem=problem, stage=stage)


def _hot_cluster(cells: list[dict[str, Any]], cell: str) -> list[str]:
    """The hot cell and the hot cells contiguous with it, as "Open a problem" takes them."""
    hot = {row["cell"] for row in cells if (row.get("bin") or 0) > 0}
    cluster, frontier = {cell}, [cell]
    while frontier:
        current = frontier.pop()
        for neighbour in h3.grid_ring(current, 1):
            if neighbour in hot and neighbour not in cluster:
                cluster.add(neighbour)
                frontier.append(neighbour)
    return sorted(cluster)


def _burglary_case(
    *, lead: User, partner: User, force: Organisation, today: date, seed: int
) -> Problem | None:
    """Run the hot-spot analysis on two years of burglary, open a case on its busiest hot
    cell and take it to the Response stage with the council's tasks.

    The analysis runs as a function, not as a stored run: the demo keeps no analysis run of
    its own (the scanning pages and their tests start from none), so ``origin_detail``
    names the analysis and its input instead of a run."""
    start, end = today - timedelta(days=730), today - timedelta(days=1)
    query = EventQuery(organisation_id=force.pk, categories=(BURGLARY,), start=start, end=end)
    result = hotspots_of_events(
        load_events(query),
        resolution=RESOLUTION,
        rings=1,
        permutations=999,
        seed=seed,
        polygons=study_polygons(query),
        with_density=False,
    )
    rows = result["cells"]
    hot = [row for row in rows if (row.get("bin") or 0) > 0]
    if not hot:
        return None
    top = min(hot, key=lambda row: (-row["bin"], -row["count"], row["cell"]))
    cell = str(top["cell"])
    area = locate_neighbourhood(*h3.cell_to_latlng(cell))
    if area is None or area.organisation_id != force.pk:
        return None
    council = Organisation.objects.get(slug=COUNCIL_SLUG)
    problem = cases.problem_open(
        actor=lead,
        organisation=force,
        area=area,
        title=f"Burglary hot spot in {area.name}",
        description=(
            "Scanning found a hot spot of burglary in the streets around "
            f"{area.name}'s terraces: homes entered through rear doors and side passages, "
            "mostly on weekdays in the daytime."
        ),
        categories=[BURGLARY],
        cells=_hot_cluster(rows, cell),
        resolution=RESOLUTION,
        origin_kind=OriginKind.HOT_SPOT,
        origin_detail={
            "analysis": "hotspots",
            "categories": [BURGLARY],
            "start": start.isoformat(),
            "end": end.isoformat(),
            "seed": seed,
            "cell": cell,
        },
    )
    cases.problem_record_cheers(
        actor=lead,
        problem=problem,
        answers=_cheers(
            {
                CheersElement.COMMUNITY: "Residents of the terraces and their neighbours.",
                CheersElement.HARM: "Loss of property and the fear of it happening again.",
                CheersElement.EXPECTATION: "Raised at the last two beat meetings.",
                CheersElement.EVENTS: "Recorded burglaries, each a discrete event.",
                CheersElement.RECURRING: "Every month for two years.",
                CheersElement.SIMILARITY: "Same streets, same way in, same time of day.",
            },
            ["behaviour", "place", "time"],
        ),
    )
    cases.member_add(
        actor=lead,
        problem=problem,
        organisation=council,
        role="Manages the rear alleys, street lighting and the landlord licensing scheme",
    )
    _move(lead, problem, Stage.ANALYSIS)
    for side, description, controller, effectiveness in (
        (
            TriangleSide.OFFENDER,
            "A few local offenders who know the alleys, working on weekday afternoons.",
            "Offender management officers",
            Effectiveness.WEAK,
        ),
        (
            TriangleSide.TARGET,
            "Terraced homes with weak rear doors, empty while residents are at work.",
            "Residents and neighbours",
            Effectiveness.WEAK,
        ),
        (
            TriangleSide.PLACE,
            "Unlit rear alleys with open access from two main roads.",
            "The council (alleys and lighting) and private landlords",
            Effectiveness.ABSENT,
        ),
    ):
        cases.triangle_add(
            actor=lead,
            problem=problem,
            side=side,
            description=description,
            controller=controller,
            effectiveness=effectiveness,
        )
    access = cases.hypothesis_add(
        actor=lead,
        problem=problem,
        statement="Most burglaries are through rear doors reached from the alleys.",
        test_data="Point of entry recorded in the crime reports of the last year.",
    )
    cases.hypothesis_update(
        actor=lead,
        hypothesis=access,
        result=HypothesisResult.SUPPORTED,
        finding="Seven in ten entries were at the rear.",
        test_data=access.test_data,
    )
    cases.hypothesis_add(
        actor=lead,
        problem=problem,
        statement="Rented homes are burgled more often than owner-occupied ones.",
        test_data="Landlord licensing register matched to burgled addresses.",
    )
    cases.analysis_record(
        actor=lead,
        problem=problem,
        summary=(
            "Burglaries cluster in the terraces whose rear alleys are open and unlit; "
            "entry is mostly through rear doors on weekday afternoons."
        ),
        current_responses="Patrols after each burglary; crime prevention leaflets.",
    )
    _move(lead, problem, Stage.RESPONSE)
    hardening = responding.response_add(
        actor=lead,
        problem=problem,
        technique=Technique.TARGET_HARDENING,
        description="Free door and window locks for the homes backing on to the alleys.",
    )
    managers = responding.response_add(
        actor=lead,
        problem=problem,
        technique=Technique.PLACE_MANAGERS,
        description="Alley gates and lighting, kept up by the council with the landlords.",
        organisation=council,
    )
    responding.goal_add(
        actor=lead,
        problem=problem,
        text="Fewer burglaries in the hot spot over the next six months",
        target_reduction_percent=30,
    )
    responding.task_add(
        actor=lead,
        problem=problem,
        title="Fit locks to the homes backing on to the alleys",
        organisation=force,
        due_on=today + timedelta(days=30),
        response=hardening,
    )
    lighting = responding.task_add(
        actor=lead,
        problem=problem,
        title="Survey the rear alleys' lighting",
        organisation=council,
        due_on=today - timedelta(days=14),
        response=managers,
    )
    responding.task_add(
        actor=lead,
        problem=problem,
        title="Install gates at the ends of the rear alleys",
        organisation=council,
        due_on=today - timedelta(days=7),
        response=managers,
    )
    # The council's officer reports the survey done; the gates are overdue.
    responding.task_update(
        actor=partner,
        task=lighting,
        status=TaskStatus.DONE,
        note="Survey done: eleven lamps out, all replaced.",
    )
    return problem


def _asb_case(*, lead: User, force: Organisation) -> Problem | None:
    """Open a case from the largest cluster of similar anti-social behaviour concerns in one
    neighbourhood and take it to the Analysis stage."""
    concerns = list(
        Concern.objects.filter(
            area__organisation=force, category__code__in=ASB_CONCERN_CATEGORIES
        ).select_related("area", "category")
    )
    if not concerns:
        return None
    groups = Counter((c.area_id, c.category.code) for c in concerns)
    (area_id, code), _count = min(groups.items(), key=lambda item: (-item[1], item[0]))
    cluster = sorted(
        (c for c in concerns if c.area_id == area_id and c.category.code == code),
        key=lambda c: (c.created_at, c.reference),
        reverse=True,
    )[:CLUSTER_SIZE]
    area = cluster[0].area
    category = cluster[0].category
    youth = Organisation.objects.get(slug=YOUTH_SLUG)
    problem = cases.problem_open(
        actor=lead,
        organisation=force,
        area=area,
        title=f"Recurring concerns in {area.name}: {category.name}",
        description=(
            f"Residents keep reporting {str(category.name).lower()} in {area.name}, "
            "in the same streets in the evenings."
        ),
        categories=["anti-social-behaviour"],
        cells=sorted({h3.latlng_to_cell(c.latitude, c.longitude, RESOLUTION) for c in cluster}),
        resolution=RESOLUTION,
        origin_kind=OriginKind.CONCERNS,
        origin_detail={"concerns": sorted(c.reference for c in cluster)},
        concerns=cluster,
    )
    cases.problem_record_cheers(
        actor=lead,
        problem=problem,
        answers=_cheers(
            {
                CheersElement.COMMUNITY: "Residents of the streets named in the concerns.",
                CheersElement.HARM: "Noise, intimidation and fear of going out at night.",
                CheersElement.EXPECTATION: "Residents reported it to the police repeatedly.",
                CheersElement.EVENTS: "Each concern reports an evening of disorder.",
                CheersElement.RECURRING: "Reported week after week.",
                CheersElement.SIMILARITY: "The same behaviour in the same places.",
            },
            ["behaviour", "place"],
        ),
    )
    cases.member_add(
        actor=lead,
        problem=problem,
        organisation=youth,
        role="Evening outreach in the streets named in the concerns",
    )
    _move(lead, problem, Stage.ANALYSIS)
    cases.triangle_add(
        actor=lead,
        problem=problem,
        side=TriangleSide.PLACE,
        description="A parade of shops whose forecourt has benches and no lighting.",
        controller="The shops' managing agent",
        effectiveness=Effectiveness.WEAK,
    )
    cases.hypothesis_add(
        actor=lead,
        problem=problem,
        statement="The gatherings follow the youth club's closure on Friday evenings.",
        test_data="Times of the concerns against the youth club's opening hours.",
    )
    return problem


def _closed_case(
    *, lead: User, force: Organisation, spot: PlantedHotSpot, today: date
) -> Problem | None:
    """A case on the diminishing criminal damage hot spot, taken through every stage to an
    assessment that closes it, with a published public summary."""
    area = Area.objects.filter(organisation=force, code=spot.area).first()
    if area is None:
        return None
    centre = h3.latlng_to_cell(spot.latitude, spot.longitude, RESOLUTION)
    homes = Organisation.objects.get(slug=HOMES_SLUG)
    problem = cases.problem_open(
        actor=lead,
        organisation=force,
        area=area,
        title=f"Criminal damage on the estate in {area.name}",
        description="Damage to cars, bus shelters and the estate's communal doors.",
        categories=list(spot.categories),
        cells=sorted(h3.grid_disk(centre, 1)),
        resolution=RESOLUTION,
        origin_kind=OriginKind.MANUAL,
    )
    cases.problem_record_cheers(
        actor=lead,
        problem=problem,
        answers=_cheers(
            {
                CheersElement.COMMUNITY: "The estate's tenants.",
                CheersElement.HARM: "Repairs, and an estate that looks neglected.",
                CheersElement.EXPECTATION: "The tenants' association asked for action.",
                CheersElement.EVENTS: "Recorded criminal damage.",
                CheersElement.RECURRING: "Several times a week.",
                CheersElement.SIMILARITY: "The same estate, in the evenings.",
            },
            ["place", "time"],
        ),
    )
    cases.member_add(actor=lead, problem=problem, organisation=homes, role="Landlord of the estate")
    _move(lead, problem, Stage.ANALYSIS)
    cases.triangle_add(
        actor=lead,
        problem=problem,
        side=TriangleSide.PLACE,
        description="Communal doors and bus shelters out of sight of any home.",
        controller="Millbrook Homes' estate officer",
        effectiveness=Effectiveness.WEAK,
    )
    cases.analysis_record(
        actor=lead,
        problem=problem,
        summary="Damage is at the estate's unwatched corners, in the evenings.",
        current_responses="Repairs after each report.",
    )
    _move(lead, problem, Stage.RESPONSE)
    response = responding.response_add(
        actor=lead,
        problem=problem,
        technique=Technique.NATURAL_SURVEILLANCE,
        description="Cut back hedges and light the estate's paths and shelters.",
        organisation=homes,
    )
    task = responding.task_add(
        actor=lead,
        problem=problem,
        title="Cut back the hedges and light the paths",
        organisation=force,
        due_on=today - timedelta(days=200),
        response=response,
    )
    responding.task_update(actor=lead, task=task, status=TaskStatus.DONE, note="Done.")
    _move(lead, problem, Stage.ASSESSMENT)
    # After: the last six full months; before: the six months a year before them.
    after_end = today.replace(day=1) - timedelta(days=1)
    after_start = _months_back(after_end.replace(day=1), 5)
    before_start = _months_back(after_start, 12)
    before_end = _months_back(after_start, 6) - timedelta(days=1)
    comparison = assessing.default_comparison_area(problem)
    if comparison is None:
        return None
    assessing.assessment_record(
        actor=lead,
        problem=problem,
        before_start=before_start,
        before_end=before_end,
        after_start=after_start,
        after_end=after_end,
        comparison_area=comparison,
        buffer_rings=2,
        categories=list(spot.categories),
        process_note="The hedges were cut and the lights put up as planned.",
        decision=Decision.CLOSE,
        decision_note="Damage has fallen well beyond the district's trend.",
    )
    workspace.summary_write(
        actor=lead,
        problem=problem,
        public_title=f"Less criminal damage on an estate in {area.name}",
        public_summary=(
            "Residents told us about repeated damage to cars, bus shelters and doors on "
            "their estate. With the housing association we cut back hedges and lit the "
            "paths so that the corners are overlooked. Damage has fallen since, by more "
            "than in the rest of the district, and has not moved to the nearby streets."
        ),
    )
    workspace.summary_publish(actor=lead, problem=problem, publish=True)
    return problem


def demo_problems_load(
    *, today: date, force: Organisation, planted: Planted, seed: int
) -> DemoProblems:
    """The worked cases of the demo town (after its incidents, concerns and priorities),
    by the demo analyst, with the council's officer updating the council's task."""
    lead = User.objects.get(email=LEAD_EMAIL)
    partner = User.objects.get(email=PARTNER_EMAIL)
    diminishing = planted.hot_spot("diminishing")
    return DemoProblems(
        burglary=_burglary_case(lead=lead, partner=partner, force=force, today=today, seed=seed),
        asb=_asb_case(lead=lead, force=force),
        closed=(
            _closed_case(lead=lead, force=force, spot=diminishing[0], today=today)
            if diminishing
            else None
        ),
    )
