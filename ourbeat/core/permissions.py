"""Who may do what, as ``rules`` predicates over memberships scoped by organisation and area.

A membership with no area covers the whole organisation; one with an area covers that area
and every area inside it. Site administrators (superusers) may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules
from django.db.models import Q

from ourbeat.accounts.models import TEAM_EDITOR_ROLES, Membership, Role


def _memberships(user: Any, roles: Iterable[str]) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = list(user.memberships.select_related("area", "organisation"))
        user._membership_cache = cache
    wanted = set(roles)
    return [m for m in cache if m.role in wanted]


def covers(membership: Membership, area: Any) -> bool:
    if membership.organisation_id != area.organisation_id:
        return False
    return membership.area is None or area.path.startswith(membership.area.path)


def holds_role_over(user: Any, area: Any, roles: Iterable[str]) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(covers(m, area) for m in _memberships(user, roles))


def areas_filter_for(user: Any, roles: Iterable[str]) -> list[Membership]:
    """The memberships that scope a staff list view to what the user may see."""
    return _memberships(user, roles)


def area_scope(user: Any, roles: Iterable[str], prefix: str) -> Q | None:
    """A filter for the areas (reached through ``prefix``, e.g. "area__") that the user's
    memberships with one of ``roles`` cover: the organisation's, narrowed to a membership's
    area and everything inside it. None: everything (a site admin)."""
    if user.is_superuser:
        return None
    condition = Q(pk__in=[])
    for m in areas_filter_for(user, roles):
        part = Q(**{f"{prefix}organisation_id": m.organisation_id})
        if m.area is not None:
            part &= Q(**{f"{prefix}path__startswith": m.area.path})
        condition |= part
    return condition


@rules.predicate
def is_site_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_staff_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.holds_staff_role)


@rules.predicate
def edits_area_team(user: Any, area: Any) -> bool:
    return area is not None and holds_role_over(user, area, TEAM_EDITOR_ROLES)


@rules.predicate
def logs_area_visibility(user: Any, area: Any) -> bool:
    return area is not None and holds_role_over(user, area, {Role.OFFICER, Role.SUPERVISOR})


@rules.predicate
def reads_area_visibility_log(user: Any, area: Any) -> bool:
    readers = {Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ORG_ADMIN}
    return area is not None and holds_role_over(user, area, readers)


@rules.predicate
def owns_profile(user: Any, profile: Any) -> bool:
    return profile is not None and profile.user_id == getattr(user, "pk", None)


@rules.predicate
def supervises_profile(user: Any, profile: Any) -> bool:
    if profile is None:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(
        m.organisation_id == profile.organisation_id
        for m in _memberships(user, {Role.SUPERVISOR, Role.ORG_ADMIN})
    )


rules.add_perm("core.use_staff_site", is_staff_member)
rules.add_perm("teams.edit_area_team", edits_area_team)
rules.add_perm("teams.log_visibility", logs_area_visibility)
rules.add_perm("teams.read_visibility_log", reads_area_visibility_log)
rules.add_perm("teams.edit_profile", owns_profile | supervises_profile)


@rules.predicate
def edits_contact_point(user: Any, point: Any) -> bool:
    return point is not None and holds_role_over(user, point.area, TEAM_EDITOR_ROLES)


rules.add_perm("teams.edit_contact_point", edits_contact_point)


CONCERN_HANDLER_ROLES = {Role.OFFICER, Role.SUPERVISOR, Role.PARTNER_STAFF, Role.ORG_ADMIN}


def _handles_in(user: Any, organisation_id: int, area: Any, roles: Iterable[str]) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(
        m.organisation_id == organisation_id
        and (m.area is None or area.path.startswith(m.area.path))
        for m in _memberships(user, roles)
    )


@rules.predicate
def handles_concern(user: Any, concern: Any) -> bool:
    """Staff of the responsible organisation, within their area scope."""
    return concern is not None and _handles_in(
        user, concern.responsible_id, concern.area, CONCERN_HANDLER_ROLES
    )


@rules.predicate
def reads_concern(user: Any, concern: Any) -> bool:
    """Handlers, analysts of the responsible organisation, and staff of an organisation
    that referred the concern on (the sender keeps read access)."""
    if concern is None:
        return False
    readers = CONCERN_HANDLER_ROLES | {Role.ANALYST}
    if _handles_in(user, concern.responsible_id, concern.area, readers):
        return True
    senders = {r.from_organisation_id for r in concern.referrals.all()}
    return any(
        m.organisation_id in senders
        and (m.area is None or concern.area.path.startswith(m.area.path))
        for m in _memberships(user, readers)
    )


rules.add_perm("concerns.handle_concern", handles_concern)
rules.add_perm("concerns.read_concern", reads_concern)


CONCERN_READER_ROLES = CONCERN_HANDLER_ROLES | {Role.ANALYST}


@rules.predicate
def uses_concern_queue(user: Any) -> bool:
    """Staff who handle or read concerns for some organisation (not oversight)."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(_memberships(user, CONCERN_READER_ROLES))


@rules.predicate
def handles_any_concern(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(_memberships(user, CONCERN_HANDLER_ROLES))


rules.add_perm("concerns.use_queue", uses_concern_queue)
rules.add_perm("concerns.assign_concerns", handles_any_concern)
# Seeing who reported a concern is for the staff handling it (each look is audited).
rules.add_perm("concerns.view_reporter", handles_concern)


# Engagement: priorities and their actions. The neighbourhood team (police roles of the
# area's organisation, in scope) manages priorities; analysts read them; staff of the
# organisation that owns an action (a partner agency, or the force) update it, as does the
# priority's team.
PRIORITY_MANAGER_ROLES = TEAM_EDITOR_ROLES
PRIORITY_READER_ROLES = TEAM_EDITOR_ROLES | {Role.ANALYST}


@rules.predicate
def manages_area_priorities(user: Any, area: Any) -> bool:
    return area is not None and holds_role_over(user, area, PRIORITY_MANAGER_ROLES)


@rules.predicate
def manages_priority(user: Any, priority: Any) -> bool:
    return priority is not None and holds_role_over(user, priority.area, PRIORITY_MANAGER_ROLES)


@rules.predicate
def reads_priority(user: Any, priority: Any) -> bool:
    return priority is not None and holds_role_over(user, priority.area, PRIORITY_READER_ROLES)


@rules.predicate
def updates_action(user: Any, action: Any) -> bool:
    if action is None:
        return False
    area = action.priority.area
    return _handles_in(
        user, action.owner_organisation_id, area, CONCERN_HANDLER_ROLES
    ) or holds_role_over(user, area, PRIORITY_MANAGER_ROLES)


@rules.predicate
def records_meeting_votes(user: Any, meeting: Any) -> bool:
    return meeting is not None and holds_role_over(user, meeting.forum.area, PRIORITY_MANAGER_ROLES)


@rules.predicate
def uses_priorities(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, PRIORITY_READER_ROLES)
    )


@rules.predicate
def uses_agency_actions(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, CONCERN_HANDLER_ROLES)
    )


rules.add_perm("engagement.use_priorities", uses_priorities)
rules.add_perm("engagement.manage_area_priorities", manages_area_priorities)
rules.add_perm("engagement.read_priority", reads_priority)
rules.add_perm("engagement.manage_priority", manages_priority)
rules.add_perm("engagement.record_meeting_votes", records_meeting_votes)
rules.add_perm("engagement.use_actions", uses_agency_actions)
rules.add_perm("engagement.update_action", updates_action)


# Engagement: forums and their meetings. The police roles of the forum area's organisation,
# in scope, manage forums and meetings (schedule, record, add items); analysts read them.
FORUM_MANAGER_ROLES = TEAM_EDITOR_ROLES
FORUM_READER_ROLES = TEAM_EDITOR_ROLES | {Role.ANALYST}


@rules.predicate
def uses_forums(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, FORUM_READER_ROLES)
    )


@rules.predicate
def manages_any_forum(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, FORUM_MANAGER_ROLES)
    )


@rules.predicate
def manages_area_forums(user: Any, area: Any) -> bool:
    return area is not None and holds_role_over(user, area, FORUM_MANAGER_ROLES)


@rules.predicate
def manages_forum(user: Any, forum: Any) -> bool:
    return forum is not None and holds_role_over(user, forum.area, FORUM_MANAGER_ROLES)


@rules.predicate
def reads_forum(user: Any, forum: Any) -> bool:
    return forum is not None and holds_role_over(user, forum.area, FORUM_READER_ROLES)


@rules.predicate
def manages_meeting(user: Any, meeting: Any) -> bool:
    return meeting is not None and holds_role_over(user, meeting.forum.area, FORUM_MANAGER_ROLES)


@rules.predicate
def reads_meeting(user: Any, meeting: Any) -> bool:
    return meeting is not None and holds_role_over(user, meeting.forum.area, FORUM_READER_ROLES)


rules.add_perm("engagement.use_forums", uses_forums)
rules.add_perm("engagement.create_forum", manages_any_forum)
rules.add_perm("engagement.manage_area_forums", manages_area_forums)
rules.add_perm("engagement.read_forum", reads_forum)
rules.add_perm("engagement.manage_forum", manages_forum)
rules.add_perm("engagement.read_meeting", reads_meeting)
rules.add_perm("engagement.manage_meeting", manages_meeting)


# Surveys: the police roles of a wave's organisation, within their area, set up and run its
# waves (open, close, invite) and enter paper and in-person answers; analysts read them. A
# wave that spans several neighbourhoods is run by those whose scope covers all of them;
# answers are entered for a neighbourhood the member of staff covers.
SURVEY_MANAGER_ROLES = TEAM_EDITOR_ROLES
SURVEY_READER_ROLES = TEAM_EDITOR_ROLES | {Role.ANALYST}


def _wave_areas(wave: Any) -> list[Any]:
    cached = getattr(wave, "_areas_cache", None)
    if cached is None:
        cached = list(wave.areas.all())
        wave._areas_cache = cached
    return cached


@rules.predicate
def uses_surveys(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, SURVEY_READER_ROLES)
    )


@rules.predicate
def creates_waves(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, SURVEY_MANAGER_ROLES)
    )


@rules.predicate
def reads_wave(user: Any, wave: Any) -> bool:
    return wave is not None and any(
        holds_role_over(user, area, SURVEY_READER_ROLES) for area in _wave_areas(wave)
    )


@rules.predicate
def manages_wave(user: Any, wave: Any) -> bool:
    if wave is None:
        return False
    areas = _wave_areas(wave)
    return bool(areas) and all(holds_role_over(user, area, SURVEY_MANAGER_ROLES) for area in areas)


@rules.predicate
def enters_wave_responses(user: Any, wave: Any) -> bool:
    return wave is not None and any(
        holds_role_over(user, area, SURVEY_MANAGER_ROLES) for area in _wave_areas(wave)
    )


rules.add_perm("surveys.use_waves", uses_surveys)
rules.add_perm("surveys.create_wave", creates_waves)
rules.add_perm("surveys.read_wave", reads_wave)
rules.add_perm("surveys.manage_wave", manages_wave)
rules.add_perm("surveys.enter_responses", enters_wave_responses)


# Scanning (analytics): officers, supervisors, analysts and organisation admins read their
# organisation's incidents and run the analyses over the areas they cover; analysts and
# organisation admins import incident data. Partner staff and oversight do not see
# record-level incident data.
SCAN_ROLES = TEAM_EDITOR_ROLES | {Role.ANALYST}
INCIDENT_IMPORT_ROLES = frozenset({Role.ANALYST, Role.ORG_ADMIN})


@rules.predicate
def uses_scan(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(_memberships(user, SCAN_ROLES))


@rules.predicate
def imports_incidents(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, INCIDENT_IMPORT_ROLES)
    )


@rules.predicate
def reads_incident_import(user: Any, incident_import: Any) -> bool:
    if incident_import is None:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(
        m.organisation_id == incident_import.organisation_id
        for m in _memberships(user, INCIDENT_IMPORT_ROLES)
    )


def scan_organisation_ids(user: Any) -> set[int] | None:
    """The organisations whose incidents the user may analyse; None: all (a site admin)."""
    if getattr(user, "is_superuser", False):
        return None
    return {m.organisation_id for m in _memberships(user, SCAN_ROLES)}


rules.add_perm("analytics.use_scan", uses_scan)
rules.add_perm("analytics.import_incidents", imports_incidents)
rules.add_perm("analytics.read_import", reads_incident_import)


# Problem-solving cases (SARA). The lead organisation's police roles and analysts, within
# their area scope, open and manage a case; staff of a partner agency that is a member of the
# case read it, write in its workspace and update their own agency's tasks, and see nothing
# of any other case. Oversight members see only published summaries, like the public.
PROBLEM_LEAD_ROLES = TEAM_EDITOR_ROLES | {Role.ANALYST}
PROBLEM_PARTNER_ROLES = frozenset(
    {Role.PARTNER_STAFF, Role.OFFICER, Role.SUPERVISOR, Role.ANALYST, Role.ORG_ADMIN}
)


def _member_organisation_ids(problem: Any) -> set[int]:
    cached = getattr(problem, "_member_org_cache", None)
    if cached is None:
        cached = set(problem.members.values_list("organisation_id", flat=True))
        problem._member_org_cache = cached
    return cached


def problem_partner_organisation_ids(user: Any) -> set[int]:
    """The organisations through which the user may take part in cases as a partner."""
    return {m.organisation_id for m in _memberships(user, PROBLEM_PARTNER_ROLES)}


@rules.predicate
def leads_problem(user: Any, problem: Any) -> bool:
    return problem is not None and holds_role_over(user, problem.area, PROBLEM_LEAD_ROLES)


@rules.predicate
def is_problem_partner(user: Any, problem: Any) -> bool:
    if problem is None:
        return False
    return bool(problem_partner_organisation_ids(user) & _member_organisation_ids(problem))


@rules.predicate
def uses_problems(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, PROBLEM_LEAD_ROLES | PROBLEM_PARTNER_ROLES)
    )


@rules.predicate
def opens_problems(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or bool(
        _memberships(user, PROBLEM_LEAD_ROLES)
    )


@rules.predicate
def updates_problem_task(user: Any, task: Any) -> bool:
    """The case's lead staff, or staff of the task's own agency while it is in the case."""
    if task is None:
        return False
    problem = task.problem
    if leads_problem(user, problem):
        return True
    return task.organisation_id in problem_partner_organisation_ids(
        user
    ) and task.organisation_id in _member_organisation_ids(problem)


rules.add_perm("problems.use_problems", uses_problems)
rules.add_perm("problems.open_problem", opens_problems)
rules.add_perm("problems.read_problem", leads_problem | is_problem_partner)
rules.add_perm("problems.manage_problem", leads_problem)
rules.add_perm("problems.contribute", leads_problem | is_problem_partner)
rules.add_perm("problems.update_task", updates_problem_task)
