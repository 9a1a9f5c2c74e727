"""Who may do what: every staff page, every admin page and every API write, checked for
every persona against an explicit table. A route that is not in the table fails the build,
so a new route cannot ship without someone deciding who may use it.

Outcomes: ``ok`` (200/201, or a redirect to somewhere other than a sign-in page), ``403``,
``404`` (the object is out of scope by design), ``405`` (method not offered), ``login``
(sent to sign in; 401 from the API).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import h3
import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.generic.base import RedirectView

from ourbeat.api.api import api
from ourbeat.api.police_uk import police_uk_api
from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.services import concern_respond, concern_submit
from ourbeat.teams.models import ContactPoint
from ourbeat.teams.schedule import occurrences

PERSONAS = [
    "anonymous",
    "resident",
    "officer",
    "supervisor",
    "partner_staff",
    "analyst",
    "oversight",
    "org_admin",
    "site_admin",
]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def row(text: str) -> dict[str, str]:
    """One outcome per persona, in the order of PERSONAS."""
    outcomes = text.split()
    assert len(outcomes) == len(PERSONAS), text
    return dict(zip(PERSONAS, outcomes, strict=True))


#                 anon   resident officer super partner analyst oversight org_adm site_adm
ANY_STAFF = row("login 403 ok ok ok ok ok ok ok")
PROFILE_OWNER = row("login 403 ok 403 403 403 403 403 403")
READ_HOME = row("login 403 ok ok 403 ok 403 ok ok")
READ_ELSEWHERE = row("login 403 403 403 403 ok 403 ok ok")
EDIT_HOME = row("login 403 ok ok 403 403 403 ok ok")
EDIT_ELSEWHERE = row("login 403 403 403 403 403 403 ok ok")
LOG_HOME = row("login 403 ok ok 403 403 403 403 ok")
LOG_ELSEWHERE = row("login 403 403 403 403 403 403 403 ok")
NO_POST = row("login 403 405 405 405 405 405 405 405")
SITE_ADMIN_ONLY = row("login 403 403 403 403 403 403 403 ok")
# The admin sends anyone who is not a site administrator to sign in (as someone else).
ADMIN_ONLY = row("login login login login login login login login ok")
EVERYONE = row("ok ok ok ok ok ok ok ok ok")
NOT_A_NEIGHBOURHOOD = row("login 403 404 404 404 404 404 404 404")
API_LOG_HOME = row("login 403 ok ok 403 403 403 403 ok")
API_LOG_ELSEWHERE = row("login 403 403 403 403 403 403 403 ok")
API_EDIT_HOME = row("login 403 ok ok 403 403 403 ok ok")
API_EDIT_ELSEWHERE = row("login 403 403 403 403 403 403 ok ok")
NOWHERE = row(" ".join(["404"] * 9))
# Concerns: the queue is for those who handle or read concerns (not oversight); a concern is
# read by its organisation's staff in scope (analysts included) and handled by its handlers.
QUEUE = row("login 403 ok ok ok ok 403 ok ok")
ASSIGN = row("login 403 ok ok ok 403 403 ok ok")
NO_GET = row("login 403 405 405 405 405 405 405 405")
READ_CONCERN_HOME = row("login 403 ok ok 403 ok 403 ok ok")
READ_CONCERN_ELSEWHERE = row("login 403 403 403 403 ok 403 ok ok")
COUNCIL_ONLY = row("login 403 403 403 ok 403 403 403 ok")
HANDLE_HOME = row("login 403 ok ok 403 403 403 ok ok")
HANDLE_ELSEWHERE = row("login 403 403 403 403 403 403 ok ok")


@dataclass(frozen=True)
class Check:
    """One request shape: the route's kwargs in a scope, and per method the outcomes."""

    scope: str  # "home", "elsewhere", "district" or "-" (no object)
    get: dict[str, str] | None
    post: dict[str, str] | None


# The staff site (/en/staff/): every named route, each in every scope that matters.
STAFF_TABLE: dict[str, list[Check]] = {
    "staff:home": [Check("-", ANY_STAFF, NO_POST)],
    "staff:profile_edit": [Check("-", PROFILE_OWNER, PROFILE_OWNER)],
    "staff:area": [
        Check("home", READ_HOME, NO_POST),
        Check("elsewhere", READ_ELSEWHERE, NO_POST),
        Check("district", NOT_A_NEIGHBOURHOOD, None),
    ],
    "staff:contact_point_create": [
        Check("home", EDIT_HOME, EDIT_HOME),
        Check("elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
        Check("district", NOT_A_NEIGHBOURHOOD, None),
    ],
    "staff:commitments_edit": [
        Check("home", EDIT_HOME, EDIT_HOME),
        Check("elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
    ],
    "staff:visibility_log": [
        Check("home", READ_HOME, LOG_HOME),
        Check("elsewhere", READ_ELSEWHERE, LOG_ELSEWHERE),
        Check("district", NOT_A_NEIGHBOURHOOD, None),
    ],
    "staff:contact_point_edit": [
        Check("home", EDIT_HOME, EDIT_HOME),
        Check("elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
    ],
    "staff:occurrence_change": [
        Check("home", EDIT_HOME, EDIT_HOME),
        Check("elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
    ],
}

CONCERN_ACTIONS = [
    "staff_concerns:reporter",
    "staff_concerns:status",
    "staff_concerns:respond",
    "staff_concerns:note",
    "staff_concerns:category",
    "staff_concerns:duplicate",
    "staff_concerns:refer",
    "staff_concerns:hide",
    "staff_concerns:update_hide",
]
STAFF_TABLE.update(
    {
        "staff_concerns:queue": [Check("-", QUEUE, NO_POST)],
        "staff_concerns:assign": [Check("-", NO_GET, ASSIGN)],
        "staff_concerns:detail": [
            Check("concern_home", READ_CONCERN_HOME, NO_POST),
            Check("concern_elsewhere", READ_CONCERN_ELSEWHERE, NO_POST),
            Check("concern_council", COUNCIL_ONLY, NO_POST),
        ],
        **{
            name: [
                Check("concern_home", NO_GET, HANDLE_HOME),
                Check("concern_elsewhere", NO_GET, HANDLE_ELSEWHERE),
                Check("concern_council", NO_GET, COUNCIL_ONLY),
            ]
            for name in CONCERN_ACTIONS
        },
        **{
            name: [
                Check("concern_home", HANDLE_HOME, HANDLE_HOME),
                Check("concern_elsewhere", HANDLE_ELSEWHERE, HANDLE_ELSEWHERE),
                Check("concern_council", COUNCIL_ONLY, COUNCIL_ONLY),
            ]
            for name in ("staff_concerns:publish", "staff_concerns:update_edit")
        },
    }
)

# Engagement priorities: the neighbourhood team (police roles of the area's organisation)
# manages them and records meetings' votes, analysts read them; an action is updated by the
# staff of the organisation that owns it or by the priority's team.
ACTION_COUNCIL_HOME = row("login 403 ok ok ok 403 403 ok ok")
ACTION_COUNCIL_ELSEWHERE = row("login 403 403 403 ok 403 403 ok ok")
STAFF_TABLE.update(
    {
        "staff_engagement:priorities": [Check("-", READ_HOME, NO_POST)],
        "staff_engagement:priority": [
            Check("prio_priority_home", READ_HOME, NO_POST),
            Check("prio_priority_elsewhere", READ_ELSEWHERE, NO_POST),
        ],
        **{
            name: [
                Check("prio_priority_home", EDIT_HOME, EDIT_HOME),
                Check("prio_priority_elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
            ]
            for name in (
                "staff_engagement:priority_publish",
                "staff_engagement:priority_adopt",
                "staff_engagement:priority_transition",
                "staff_engagement:priority_origins",
                "staff_engagement:action_new",
            )
        },
        "staff_engagement:meeting_votes": [
            Check("prio_meeting_home", EDIT_HOME, EDIT_HOME),
            Check("prio_meeting_elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
        ],
        "staff_engagement:actions": [Check("-", ASSIGN, NO_POST)],
        "staff_engagement:action": [
            Check("prio_action_council_home", ACTION_COUNCIL_HOME, ACTION_COUNCIL_HOME),
            Check("prio_action_force_home", EDIT_HOME, EDIT_HOME),
            Check(
                "prio_action_council_elsewhere", ACTION_COUNCIL_ELSEWHERE, ACTION_COUNCIL_ELSEWHERE
            ),
        ],
    }
)

# Engagement forums and meetings: the police roles of the forum area's organisation manage
# them within their scope, analysts read them; partner staff and oversight have no part.
STAFF_TABLE.update(
    {
        "staff_engagement:forums": [Check("-", READ_HOME, NO_POST)],
        "staff_engagement:meetings": [Check("-", READ_HOME, NO_POST)],
        "staff_engagement:forum_new": [Check("-", EDIT_HOME, EDIT_HOME)],
        **{
            name: [
                Check(f"meet_{kind}_home", READ_HOME, NO_POST),
                Check(f"meet_{kind}_elsewhere", READ_ELSEWHERE, NO_POST),
            ]
            for name, kind in (
                ("staff_engagement:forum", "forum"),
                ("staff_engagement:meeting", "meeting"),
            )
        },
        **{
            name: [
                Check(f"meet_{kind}_home", EDIT_HOME, EDIT_HOME),
                Check(f"meet_{kind}_elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
            ]
            for name, kind in (
                ("staff_engagement:forum_edit", "forum"),
                ("staff_engagement:forum_members", "forum"),
                ("staff_engagement:meeting_new", "forum"),
                ("staff_engagement:meeting_edit", "meeting"),
                ("staff_engagement:meeting_cancel", "meeting"),
                ("staff_engagement:meeting_record", "meeting"),
                ("staff_engagement:meeting_items", "meeting"),
            )
        },
    }
)

# Survey waves: the police roles of the wave's organisation, within their area, set waves up
# and run them (open, close, invite, enter in-person and paper answers); analysts read them;
# partner staff and oversight have no part. Open and close are POST-only.
STAFF_TABLE.update(
    {
        "staff_surveys:waves": [Check("-", READ_HOME, NO_POST)],
        "staff_surveys:wave_new": [Check("-", EDIT_HOME, EDIT_HOME)],
        "staff_surveys:wave": [
            Check("surv_wave_home", READ_HOME, NO_POST),
            Check("surv_wave_elsewhere", READ_ELSEWHERE, NO_POST),
        ],
        **{
            name: [
                Check("surv_wave_home", NO_GET, EDIT_HOME),
                Check("surv_wave_elsewhere", NO_GET, EDIT_ELSEWHERE),
            ]
            for name in ("staff_surveys:wave_open", "staff_surveys:wave_close")
        },
        **{
            name: [
                Check("surv_wave_home", EDIT_HOME, EDIT_HOME),
                Check("surv_wave_elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
            ]
            for name in ("staff_surveys:wave_invite", "staff_surveys:wave_enter")
        },
        # The themes of the open answers (free text: staff only) and sending one to the
        # priorities: those who run surveys in one of the wave's neighbourhoods.
        "staff_surveys:wave_themes": [
            Check("surv_wave_home", EDIT_HOME, EDIT_HOME),
            Check("surv_wave_elsewhere", EDIT_ELSEWHERE, EDIT_ELSEWHERE),
        ],
    }
)

# Scanning: the police roles and analysts of an organisation run the analyses over the areas
# they cover (a run narrowed to an area is read by those who cover it); analysts and
# organisation admins import incident data. Partner staff and oversight have no part.
IMPORTERS = row("login 403 403 403 403 ok 403 ok ok")
STAFF_TABLE.update(
    {
        **{
            name: [Check("-", READ_HOME, NO_POST)]
            for name in (
                "staff_analytics:home",
                "staff_analytics:hotspots",
                "staff_analytics:emerging",
                "staff_analytics:near_repeats",
                "staff_analytics:repeats",
                "staff_analytics:evaluation",
                "staff_analytics:recurring",
            )
        },
        "staff_analytics:run": [
            Check("scan_run_home", READ_HOME, NO_POST),
            Check("scan_run_elsewhere", READ_ELSEWHERE, NO_POST),
            Check("scan_run_force", READ_ELSEWHERE, NO_POST),
        ],
        "staff_analytics:imports": [Check("-", IMPORTERS, NO_POST)],
        "staff_analytics:import_new": [Check("-", IMPORTERS, IMPORTERS)],
        "staff_analytics:mapping_new": [Check("-", IMPORTERS, IMPORTERS)],
        "staff_analytics:import_detail": [
            Check("scan_import_home", IMPORTERS, NO_POST),
            Check("scan_import_council", SITE_ADMIN_ONLY, NO_POST),
        ],
    }
)

# Problem-solving cases: lead staff (police roles and analysts of the case's organisation who
# cover its area) read and manage a case; staff of a member agency read it, contribute to its
# workspace and update their own agency's tasks; everyone else (oversight, staff of an agency
# that is not a member) gets 403 on every case URL. Scopes: a case in the home neighbourhood
# with the council as a member ("prob_member"), one with only another agency as a member
# ("prob_other"), one elsewhere with the council as a member ("prob_elsewhere"), and tasks
# ("prob_task_<agency>_<case>").
USES_PROBLEMS = row("login 403 ok ok ok ok 403 ok ok")
OPENS_PROBLEMS = row("login 403 ok ok 403 ok 403 ok ok")
CASE_MEMBER_HOME = row("login 403 ok ok ok ok 403 ok ok")
CASE_LEAD_HOME = row("login 403 ok ok 403 ok 403 ok ok")
CASE_MEMBER_ELSEWHERE = row("login 403 403 403 ok ok 403 ok ok")
CASE_LEAD_ELSEWHERE = row("login 403 403 403 403 ok 403 ok ok")
# Who reads a case (and contributes to its workspace), and who manages it, in each scope.
CASE_READERS = [
    ("prob_member", CASE_MEMBER_HOME),
    ("prob_other", CASE_LEAD_HOME),
    ("prob_elsewhere", CASE_MEMBER_ELSEWHERE),
]
CASE_LEADS = [
    ("prob_member", CASE_LEAD_HOME),
    ("prob_other", CASE_LEAD_HOME),
    ("prob_elsewhere", CASE_LEAD_ELSEWHERE),
]
STAFF_TABLE.update(
    {
        "staff_problems:list": [Check("-", USES_PROBLEMS, NO_POST)],
        "staff_problems:new": [Check("-", OPENS_PROBLEMS, OPENS_PROBLEMS)],
        # Pages every reader of the case sees.
        **{
            name: [Check(scope, readers, NO_POST) for scope, readers in CASE_READERS]
            for name in (
                "staff_problems:detail",
                "staff_problems:response",
                "staff_problems:document",
                "staff_problems:report",
                "staff_problems:report_pdf",
            )
        },
        # Read by every reader; what the page's form records is for lead staff only.
        **{
            name: [
                Check(scope, readers, leads)
                for (scope, readers), (_scope, leads) in zip(CASE_READERS, CASE_LEADS, strict=True)
            ]
            for name in (
                "staff_problems:members",
                "staff_problems:analysis",
                "staff_problems:assessment",
            )
        },
        # The workspace: notes and documents from every reader of the case.
        "staff_problems:workspace": [
            Check(scope, readers, readers) for scope, readers in CASE_READERS
        ],
        "staff_problems:document_upload": [
            Check(scope, NO_GET, readers) for scope, readers in CASE_READERS
        ],
        # Forms of lead staff.
        **{
            name: [Check(scope, leads, leads) for scope, leads in CASE_LEADS]
            for name in (
                "staff_problems:edit",
                "staff_problems:cheers",
                "staff_problems:concerns",
                "staff_problems:summary",
            )
        },
        # Actions of lead staff (POST only).
        **{
            name: [Check(scope, NO_GET, leads) for scope, leads in CASE_LEADS]
            for name in (
                "staff_problems:stage",
                "staff_problems:member_remove",
                "staff_problems:triangle_add",
                "staff_problems:triangle_delete",
                "staff_problems:hypothesis_add",
                "staff_problems:hypothesis_edit",
                "staff_problems:response_add",
                "staff_problems:goal_add",
                "staff_problems:task_add",
                "staff_problems:summary_publish",
            )
        },
        # A task: the case's lead staff, and staff of the task's own agency while it is a
        # member; not staff of another member agency.
        "staff_problems:task": [
            Check("prob_task_council_member", CASE_MEMBER_HOME, CASE_MEMBER_HOME),
            Check("prob_task_other_member", CASE_LEAD_HOME, CASE_LEAD_HOME),
            Check("prob_task_other_other", CASE_LEAD_HOME, CASE_LEAD_HOME),
            Check("prob_task_council_elsewhere", CASE_MEMBER_ELSEWHERE, CASE_MEMBER_ELSEWHERE),
        ],
    }
)

# The admin's own pages (not those of a ModelAdmin, which are checked model by model).
ADMIN_TABLE: dict[str, list[Check]] = {
    "admin:index": [Check("-", ADMIN_ONLY, None)],
    "admin:app_list": [Check("app:places", ADMIN_ONLY, None)],
    "admin:places_area_import": [Check("-", ADMIN_ONLY, ADMIN_ONLY)],
    "admin:auth_user_password_change": [Check("user", ADMIN_ONLY, None)],
    "admin:autocomplete": [
        Check("autocomplete", ADMIN_ONLY, None),
    ],
    "admin:password_change": [Check("-", ADMIN_ONLY, None)],
    "admin:password_change_done": [Check("-", ADMIN_ONLY, None)],
    "admin:view_on_site": [Check("view_on_site", ADMIN_ONLY, None)],
    "admin:jsi18n": [Check("-", ADMIN_ONLY, None)],
    # The admin's password-only sign-in form is replaced by allauth's (password, then TOTP)
    # for everyone, site administrators included.
    "admin_login_redirect": [
        Check("-", row(" ".join(["login"] * 9)), row(" ".join(["login"] * 9)))
    ],
    "admin:login": [Check("-", row(" ".join(["login"] * 9)), None)],
    "admin:logout": [Check("-", None, EVERYONE)],
    # The catch-all that 404s unknown admin paths (behind the staff check).
    "admin:<catch-all>": [
        Check("-", row("login login login login login login login login 404"), None)
    ],
}

# Models that nobody adds through the admin: the audit log is written by the code that
# makes the change, task results by the task worker, and a case's documents only through the
# workspace's upload (which checks their type and size).
READ_ONLY_IN_ADMIN = {
    "core.auditevent",
    "django_tasks_database.dbtaskresult",
    "problems.document",
}
ADMIN_READ_ONLY = row("login login login login login login login login 403")

# Every API operation that writes, keyed by method and path.
API_TABLE: dict[str, list[Check]] = {
    "POST /api/v1/staff/areas/{slug}/visibility-logs": [
        Check("home", None, API_LOG_HOME),
        Check("elsewhere", None, API_LOG_ELSEWHERE),
    ],
    "POST /api/v1/staff/contact-points/{pk}/occurrence-changes": [
        Check("home", None, API_EDIT_HOME),
        Check("elsewhere", None, API_EDIT_ELSEWHERE),
    ],
    # Unknown addresses answer a JSON 404 for every method, to everyone.
    **{
        f"{method} {root}{{path:rest}}": [Check("-", None, NOWHERE)]
        for method in sorted(WRITE_METHODS)
        for root in ("/api/v1/", "/api/police-uk/")
    },
}


# ----------------------------------------------------------------------------- enumeration


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any]]:
    found: list[tuple[str, str, Any]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            found.append(
                (prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}", pattern)
            )
    return found


def _routes_under(prefix: str) -> list[tuple[str, str, Any]]:
    return [r for r in _walk(get_resolver().url_patterns) if r[0].startswith(prefix)]


def _is_model_admin_view(pattern: URLPattern) -> bool:
    """A ModelAdmin's standard view (behind ``admin_site.admin_view``), or the redirect
    from an object's old address to its change page."""
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    return hasattr(callback, "model_admin") or (
        view_class is not None and issubclass(view_class, RedirectView)
    )


def _admin_route_name(route: str, name: str) -> str:
    return "admin:<catch-all>" if name == "admin:" and route.endswith("(?P<url>.*)$") else name


def _api_writes() -> list[str]:
    writes = []
    for ninja_api, root in ((api, "/api/v1/"), (police_uk_api, "/api/police-uk/")):
        for prefix, router in ninja_api._routers:
            for path, path_view in router.path_operations.items():
                for operation in path_view.operations:
                    for method in set(operation.methods) & WRITE_METHODS:
                        full = re.sub(r"/+", "/", f"{root}{prefix}/{path}")
                        writes.append(f"{method} {full}")
    return writes


def test_every_staff_page_is_in_the_permission_table() -> None:
    names = {name for _route, name, _p in _routes_under("en/staff/")}
    missing = sorted(names - set(STAFF_TABLE))
    assert not missing, f"staff routes without a permission expectation: {missing}"
    stale = sorted(set(STAFF_TABLE) - names)
    assert not stale, f"the permission table names routes that no longer exist: {stale}"
    unnamed = [route for route, name, _p in _routes_under("en/staff/") if name.endswith(":")]
    assert not unnamed, f"staff routes need a name to be checked: {unnamed}"


def test_every_admin_page_is_a_model_admin_page_or_in_the_permission_table() -> None:
    missing = sorted(
        f"{_admin_route_name(route, name)} ({route})"
        for route, name, pattern in _routes_under("en/admin/")
        if not _is_model_admin_view(pattern) and _admin_route_name(route, name) not in ADMIN_TABLE
    )
    assert not missing, f"admin routes without a permission expectation: {missing}"


def test_every_api_write_is_in_the_permission_table_and_behind_the_staff_prefix() -> None:
    writes = _api_writes()
    missing = sorted(set(writes) - set(API_TABLE))
    assert not missing, f"API writes without a permission expectation: {missing}"
    stale = sorted(set(API_TABLE) - set(writes))
    assert not stale, f"the permission table names API writes that no longer exist: {stale}"
    # The MFA middleware guards /api/v1/staff/: a write elsewhere would escape it.
    outside = [
        w
        for w in writes
        if not w.split()[1].startswith("/api/v1/staff/")
        and any(check.post != NOWHERE for check in API_TABLE[w])
    ]
    assert not outside, f"API writes outside /api/v1/staff/: {outside}"


def test_a_route_missing_from_the_table_is_named_by_the_check() -> None:
    names = {name for _route, name, _p in _routes_under("en/staff/")}
    table = {k: v for k, v in STAFF_TABLE.items() if k != "staff:area"}
    assert sorted(names - set(table)) == ["staff:area"]


# ----------------------------------------------------------------------------- requests


def _outcome(client: Client, response: Any) -> str:
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        if "/admin/login/" in location:
            # The admin's sign-in address forwards to allauth's.
            return _outcome(client, client.get(location))
        if "/accounts/login/" in location:
            return "login"
        if "/accounts/2fa/" in location:
            return "mfa"
        return "ok"
    if status in (200, 201):
        return "ok"
    if status == 401:
        return "login"
    return str(status)


@pytest.fixture
def world(
    town: Any, personas: dict[str, Any], client_for: Any, settings: Any, tmp_path: Any
) -> dict[str, Any]:
    # Documents uploaded by the checks (and the one downloaded) live in this test's own
    # directory, not in the shared private directory.
    settings.OURBEAT_PRIVATE_DIR = tmp_path / "private"

    def point_in(area: Any) -> ContactPoint:
        point = ContactPoint.objects.filter(area=area, cancelled=False).exclude(rrule="").first()
        assert point is not None, f"the demo town has no recurring contact point in {area}"
        return point

    now = timezone.now()
    points = {"home": point_in(town.home), "elsewhere": point_in(town.elsewhere)}
    starts = {
        scope: occurrences(point, now, now + timedelta(days=120))[0].original_start
        for scope, point in points.items()
    }
    areas = {"home": town.home, "elsewhere": town.elsewhere, "district": town.home.parent}
    concerns = {
        f"concern_{scope}": _concern_in(area, code, personas)
        for scope, area, code in (
            ("home", town.home, "asb-noise"),
            ("elsewhere", town.elsewhere, "asb-noise"),
            ("council", town.home, "street-light"),
        )
    }
    return {
        "concerns": concerns,
        "town": town,
        "personas": personas,
        "clients": {name: client_for(user) for name, user in personas.items()},
        "areas": areas,
        "points": points,
        "starts": starts,
        "prio": _priority_world(town),
        "meet": _meeting_world(town),
        "surv": _survey_world(town),
        "scan": _scan_world(town),
        "prob": _problem_world(town),
    }


def _problem_world(town: Any) -> dict[str, dict[str, int]]:
    """Three cases (written directly: the case services have their own tests) and the route
    kwargs of each scope: a case in the home neighbourhood with the council and another
    agency as members, one there with only the other agency, and one elsewhere with the
    council; each with a triangle entry, a hypothesis, a document (its file on disk) and a
    task for every member agency."""
    from django.conf import settings

    from ourbeat.places.models import Organisation, OrganisationKind
    from ourbeat.problems.models import (
        CaseMember,
        Document,
        Hypothesis,
        Problem,
        Stage,
        Task,
        TriangleEntry,
        TriangleSide,
    )

    housing = Organisation.objects.create(
        kind=OrganisationKind.PARTNER_AGENCY, name="Millbrook Housing", slug="matrix-housing"
    )
    due = timezone.localdate() + timedelta(days=14)
    content = b"Matrix document\n"
    scopes: dict[str, dict[str, int]] = {}
    for scope, area, agencies in (
        ("prob_member", town.home, [town.council, housing]),
        ("prob_other", town.home, [housing]),
        ("prob_elsewhere", town.elsewhere, [town.council]),
    ):
        # At the assessment stage, analysed and with a place, so that every form of the
        # case (an assessment included) can be posted valid.
        problem = Problem.objects.create(
            organisation=town.force,
            area=area,
            title=f"Matrix case {scope}",
            categories=["burglary"],
            cells=[h3.latlng_to_cell(area.centre_lat, area.centre_lng, 9)],
            stage=Stage.ASSESSMENT,
            analysed_at=timezone.now(),
        )
        tasks = {}
        for agency in agencies:
            CaseMember.objects.create(problem=problem, organisation=agency, role="Matrix role")
            tasks[agency] = Task.objects.create(
                problem=problem, title="Matrix task", organisation=agency, due_on=due
            )
        stored_name = f"problems/matrix-{scope}"
        path = settings.OURBEAT_PRIVATE_DIR / stored_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        document = Document.objects.create(
            problem=problem,
            title="Matrix document",
            original_name="matrix.txt",
            stored_name=stored_name,
            content_type="text/plain",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        # The member a removal names: the last one (the council alone elsewhere).
        scopes[scope] = {
            "pk": problem.pk,
            "member_id": problem.members.get(organisation=agencies[-1]).pk,
            "entry_id": TriangleEntry.objects.create(
                problem=problem, side=TriangleSide.PLACE, description="Matrix place"
            ).pk,
            "hypothesis_id": Hypothesis.objects.create(
                problem=problem, statement="Matrix hypothesis"
            ).pk,
            "document_id": document.pk,
            "comparison_id": (town.elsewhere if area == town.home else town.home).pk,
        }
        place = scope.removeprefix("prob_")
        for agency, task in tasks.items():
            owner = "council" if agency == town.council else "other"
            scopes[f"prob_task_{owner}_{place}"] = {"task_id": task.pk, "pk": problem.pk}
    return scopes


def _scan_world(town: Any) -> dict[str, Any]:
    """Analysis runs narrowed to the home neighbourhood, to one elsewhere and over the whole
    force (read by those who cover all of it), and an incident import of the force and one of
    the council."""
    from ourbeat.analytics.events import EventQuery
    from ourbeat.analytics.models import AnalysisRun, IncidentImport

    runs = {
        f"scan_run_{scope}": AnalysisRun.objects.create(
            organisation=town.force,
            kind="hotspots",
            input_key=f"matrix-{scope}",
            parameters={
                "query": EventQuery(
                    organisation_id=town.force.pk, area_id=area.pk if area else None
                ).to_dict(),
                "params": {},
            },
        )
        for scope, area in (("home", town.home), ("elsewhere", town.elsewhere), ("force", None))
    }
    imports = {
        f"scan_import_{scope}": IncidentImport.objects.create(
            organisation=organisation, source="policeuk_street", file_name="matrix.csv"
        )
        for scope, organisation in (("home", town.force), ("council", town.council))
    }
    return {**runs, **imports}


def _survey_world(town: Any) -> dict[str, Any]:
    """A draft survey wave in the home neighbourhood and one elsewhere, for the survey
    routes (the questionnaire is written directly; the fielding services have their tests)."""
    from ourbeat.surveys.models import Instrument, InstrumentItem, Item, Scale, Wave

    scale = Scale.objects.create(key="matrix-scale", points=[{"value": 1, "label": {"en": "Yes"}}])
    item = Item.objects.create(
        organisation=town.force,
        key="matrix-item",
        construct="trust",
        wording={"en": "Matrix question"},
        scale=scale,
    )
    instrument = Instrument.objects.create(
        organisation=town.force, key="matrix-instrument", title={"en": "Matrix survey"}
    )
    InstrumentItem.objects.create(instrument=instrument, item=item, position=1)
    today = timezone.localdate()
    objects: dict[str, Any] = {}
    for scope, area in (("home", town.home), ("elsewhere", town.elsewhere)):
        wave = Wave.objects.create(
            organisation=town.force,
            instrument=instrument,
            title=f"Matrix wave {scope}",
            opens_on=today,
            closes_on=today + timedelta(days=14),
            modes=["open_link", "invited", "in_person"],
            languages=["en"],
            link_key=f"matrix-wave-{scope}",
        )
        wave.areas.set([area])
        objects[f"surv_wave_{scope}"] = wave
    return objects


def _meeting_world(town: Any) -> dict[str, Any]:
    """A forum and a meeting that has taken place, in the home neighbourhood and elsewhere,
    for the forum and meeting routes."""
    from ourbeat.engagement.models import Forum, Meeting

    started = timezone.now() - timedelta(days=1)
    objects: dict[str, Any] = {}
    for scope, area in (("home", town.home), ("elsewhere", town.elsewhere)):
        forum = Forum.objects.create(
            area=area,
            organisation=area.organisation,
            kind="beat_meeting",
            name=f"Matrix meetings forum {scope}",
            slug=f"matrix-meetings-forum-{scope}",
        )
        objects[f"meet_forum_{scope}"] = forum
        objects[f"meet_meeting_{scope}"] = Meeting.objects.create(
            forum=forum,
            title="Matrix meeting",
            starts_at=started,
            ends_at=started + timedelta(hours=1),
            venue="Matrix hall",
        )
    return objects


def _priority_world(town: Any) -> dict[str, Any]:
    """A proposal, a live priority with a council-owned and a force-owned action, and a held
    meeting, in the home neighbourhood and elsewhere, for the engagement priority routes."""
    from ourbeat.engagement.models import Action, Forum, Meeting, Priority, PriorityStatus

    started = timezone.now() - timedelta(days=2)
    objects: dict[str, Any] = {}
    for scope, area in (("home", town.home), ("elsewhere", town.elsewhere)):
        forum = Forum.objects.create(
            area=area,
            organisation=area.organisation,
            kind="beat_meeting",
            name=f"Matrix forum {scope}",
            slug=f"matrix-forum-{scope}",
        )
        objects[f"prio_meeting_{scope}"] = Meeting.objects.create(
            forum=forum,
            title="Matrix meeting",
            starts_at=started,
            ends_at=started + timedelta(hours=1),
            venue="Hall",
            status="held",
            attendance=10,
        )
        objects[f"prio_priority_{scope}"] = Priority.objects.create(
            area=area, title=f"Matrix proposal {scope}"
        )
        live = Priority.objects.create(
            area=area, title=f"Matrix priority {scope}", status=PriorityStatus.ACTIVE
        )
        for owner_name, owner in (("council", town.council), ("force", town.force)):
            objects[f"prio_action_{owner_name}_{scope}"] = Action.objects.create(
                priority=live,
                title=f"Matrix action {owner_name}",
                owner_organisation=owner,
                due_on=timezone.localdate() + timedelta(days=7),
            )
    return objects


def _concern_in(area: Any, code: str, personas: dict[str, Any]) -> Concern:
    """A confirmed concern with one public response, for the concern routes."""
    concern = concern_submit(
        category=Category.objects.get(code=code),
        latitude=area.centre_lat,
        longitude=area.centre_lng,
        description="Matrix concern",
        user=personas["resident"],
    ).concern
    concern_respond(concern=concern, actor=personas["site_admin"], text="Matrix response")
    return concern


def _staff_kwargs(name: str, scope: str, world: dict[str, Any]) -> dict[str, Any]:
    route = next(r for r in _routes_under("en/staff/") if r[1] == name)[0]
    if scope.startswith("prio_"):
        return {"pk": world["prio"][scope].pk}
    if scope.startswith("meet_"):
        return {"pk": world["meet"][scope].pk}
    if scope.startswith("surv_"):
        return {"pk": world["surv"][scope].pk}
    if scope.startswith("scan_"):
        return {"pk": world["scan"][scope].pk}
    if scope.startswith("prob_"):
        ids = world["prob"][scope]
        return {key: ids[key] for key in re.findall(r"<int:(\w+)>", route)}
    if "<str:reference>" in route:
        concern = world["concerns"][scope]
        kwargs: dict[str, Any] = {"reference": concern.reference}
        if "<int:update_id>" in route:
            kwargs["update_id"] = concern.updates.filter(public=True).first().pk
        return kwargs
    if "<slug:slug>" in route:
        return {"slug": world["areas"][scope].slug}
    if "<int:pk>" in route:
        return {"pk": world["points"][scope].pk}
    return {}


def _staff_post_data(name: str, scope: str, world: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate()
    if name in ("staff:contact_point_create", "staff:contact_point_edit"):
        point = world["points"][scope]
        return {
            "kind": "surgery",
            "title": "Matrix surgery",
            "venue": "Library",
            "starts_at": timezone.localtime(point.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "rrule": point.rrule,
        }
    if name == "staff:visibility_log":
        return {"day": today.isoformat(), "metric": "surgeries", "amount": "1"}
    if name == "staff:commitments_edit":
        return {"surgeries": "6", "foot_patrol_hours": "40"}
    if name == "staff:occurrence_change":
        return {
            "occurrence": world["starts"][scope].isoformat(),
            "action": "cancelled",
            "reason": "Matrix",
        }
    if name.startswith("staff_concerns:") and scope.startswith("concern_"):
        # Data that passes the permission check without moving the concern to another
        # organisation (which would change who may act on it for the next persona).
        concern = world["concerns"][scope]
        return {
            "staff_concerns:status": {"status-status": "investigating"},
            "staff_concerns:respond": {"respond-text": "Matrix"},
            "staff_concerns:note": {"note-text": "Matrix"},
            "staff_concerns:category": {
                "category-category": concern.category_id,
                "category-note": "Matrix",
            },
            "staff_concerns:duplicate": {"duplicate-reference": concern.reference},
            "staff_concerns:refer": {
                "refer-organisation": concern.responsible_id,
                "refer-note": "Matrix",
            },
            "staff_concerns:hide": {"hide-reason": "Matrix"},
            "staff_concerns:update_hide": {"update-hide-reason": "Matrix"},
            "staff_concerns:publish": {"text": "Matrix"},
            "staff_concerns:update_edit": {"text": "Matrix"},
        }.get(name, {})
    if name.startswith("staff_problems:"):
        return _problem_post_data(name, scope, world)
    if name == "staff:profile_edit":
        return {"name": "Pat Officer", "rank": "Police Constable", "bio": "", "languages": ["en"]}
    return {}


def _problem_post_data(name: str, scope: str, world: dict[str, Any]) -> dict[str, Any]:
    """Valid data for each case form (every POST to a case is rolled back after its check,
    so that one persona's change cannot change what the next may do)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ourbeat.places.models import Organisation
    from ourbeat.problems.models import CheersElement

    ids = world["prob"].get(scope, {})
    today = timezone.localdate()
    town = world["town"]
    return {
        "staff_problems:new": {
            "title": "Matrix case",
            "area": town.home.pk,
            "categories": ["burglary"],
        },
        "staff_problems:edit": {
            "title": "Matrix case",
            "description": "Matrix",
            "categories": ["burglary"],
        },
        "staff_problems:cheers": {
            **{f"{element}_met": "yes" for element in CheersElement.values},
            **{f"{element}_note": "Matrix" for element in CheersElement.values},
            "similarity_kinds": ["place"],
        },
        "staff_problems:stage": {"stage": "analysis", "note": "Matrix"},
        # An agency that is in none of the cases (the POST is rolled back).
        "staff_problems:members": {
            "organisation": Organisation.objects.get(slug="millbrook-homes").pk,
            "role": "Matrix",
        },
        "staff_problems:concerns": {"references": world["concerns"]["concern_home"].reference},
        "staff_problems:analysis": {"summary": "Matrix", "current_responses": ""},
        "staff_problems:triangle_add": {
            "side": "place",
            "description": "Matrix",
            "controller": "",
            "effectiveness": "unknown",
        },
        "staff_problems:hypothesis_add": {"statement": "Matrix", "test_data": ""},
        "staff_problems:hypothesis_edit": {
            "result": "supported",
            "finding": "Matrix",
            "test_data": "Matrix",
        },
        "staff_problems:response_add": {
            "response-technique": "target_hardening",
            "response-description": "Matrix",
            "response-organisation": "",
        },
        "staff_problems:goal_add": {"goal-text": "Matrix", "goal-target_reduction_percent": "20"},
        "staff_problems:task_add": {
            "task-title": "Matrix",
            "task-organisation": town.force.pk,
            "task-due_on": (today + timedelta(days=7)).isoformat(),
            "task-response": "",
        },
        "staff_problems:task": {"version": "1", "status": "in_progress", "note": "Matrix"},
        "staff_problems:assessment": {
            "before_start": (today - timedelta(days=400)).isoformat(),
            "before_end": (today - timedelta(days=220)).isoformat(),
            "after_start": (today - timedelta(days=180)).isoformat(),
            "after_end": (today - timedelta(days=1)).isoformat(),
            "comparison_area": ids.get("comparison_id"),
            "buffer_rings": "2",
            "categories": ["burglary"],
            "process_note": "",
            "decision": "adjust",
            "decision_note": "",
        },
        "staff_problems:workspace": {"text": "Matrix note"},
        "staff_problems:document_upload": {
            "title": "Matrix",
            "upload": SimpleUploadedFile("matrix.txt", b"Matrix\n", content_type="text/plain"),
        },
        "staff_problems:summary": {"public_title": "Matrix", "public_summary": "Matrix"},
        "staff_problems:summary_publish": {"publish": "1"},
    }.get(name, {})


def _post(client: Client, url: str, data: dict[str, Any], *, rolled_back: bool) -> str:
    """The outcome of one POST; with ``rolled_back``, whatever it changed is undone."""
    for value in data.values():
        if hasattr(value, "seek"):
            value.seek(0)  # an upload is read again for each persona
    if not rolled_back:
        return _outcome(client, client.post(url, data))
    with transaction.atomic():
        outcome = _outcome(client, client.post(url, data))
        transaction.set_rollback(True)
    return outcome


def _compare(label: str, expected: dict[str, str] | None, run: Any, mismatches: list[str]) -> None:
    if expected is None:
        return
    for persona in PERSONAS:
        got = run(persona)
        if got != expected[persona]:
            mismatches.append(f"{label} as {persona}: expected {expected[persona]}, got {got}")


def test_each_persona_gets_what_the_table_says_on_the_staff_site(world: dict[str, Any]) -> None:
    mismatches: list[str] = []
    for name, checks in STAFF_TABLE.items():
        for check in checks:
            url = reverse(name, kwargs=_staff_kwargs(name, check.scope, world))
            data = _staff_post_data(name, check.scope, world) if check.post else {}
            clients = world["clients"]
            _compare(
                f"GET {url}",
                check.get,
                lambda p, url=url, c=clients: _outcome(c[p], c[p].get(url)),
                mismatches,
            )
            _compare(
                f"POST {url}",
                check.post,
                lambda p, url=url, data=data, c=clients, name=name: _post(
                    c[p], url, data, rolled_back=name.startswith("staff_problems:")
                ),
                mismatches,
            )
    assert not mismatches, "\n".join(mismatches)


def _admin_kwargs(scope: str, world: dict[str, Any]) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType

    if scope == "autocomplete":
        return {}
    if scope == "app:places":
        return {"app_label": "places"}
    if scope == "user":
        return {"id": world["personas"]["officer"].pk}
    if scope == "view_on_site":
        area = world["town"].home
        return {"content_type_id": ContentType.objects.get_for_model(area).pk, "object_id": area.pk}
    return {}


def test_each_persona_gets_what_the_table_says_in_the_admin(world: dict[str, Any]) -> None:
    mismatches: list[str] = []
    clients = world["clients"]
    for name, checks in ADMIN_TABLE.items():
        for check in checks:
            if name == "admin:<catch-all>":
                url = "/en/admin/no-such-page/"
            else:
                url = reverse(name, kwargs=_admin_kwargs(check.scope, world))
            if check.scope == "autocomplete":
                url += "?app_label=places&model_name=area&field_name=parent&term=a"
            # Each persona's own client; signing out must not spoil the next checks.
            fresh = (
                {
                    p: (
                        Client()
                        if world["personas"][p] is None
                        else _signed_in(world["personas"][p])
                    )
                    for p in PERSONAS
                }
                if name == "admin:logout"
                else clients
            )
            _compare(
                f"GET {url}",
                check.get,
                lambda p, url=url, c=fresh: _outcome(c[p], c[p].get(url)),
                mismatches,
            )
            _compare(
                f"POST {url}",
                check.post,
                lambda p, url=url, c=fresh: _outcome(c[p], c[p].post(url, {})),
                mismatches,
            )
    assert not mismatches, "\n".join(mismatches)


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_persona_gets_what_the_table_says_on_every_model_admin(
    world: dict[str, Any],
) -> None:
    mismatches: list[str] = []
    clients = world["clients"]
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
            refused_to_all = view == "add" and opts.label_lower in READ_ONLY_IN_ADMIN
            _compare(
                f"GET {url}",
                ADMIN_READ_ONLY if refused_to_all else ADMIN_ONLY,
                lambda p, url=url, c=clients: _outcome(c[p], c[p].get(url)),
                mismatches,
            )
    assert not mismatches, "\n".join(mismatches)


def test_each_persona_gets_what_the_table_says_on_the_api(world: dict[str, Any]) -> None:
    today = timezone.localdate()
    mismatches: list[str] = []
    clients = world["clients"]
    for key, checks in API_TABLE.items():
        method, path = key.split()
        for check in checks:
            body: dict[str, Any] = {}
            if "{slug}" in path:
                url = path.replace("{slug}", world["areas"][check.scope].slug)
                body = {"day": today.isoformat(), "metric": "surgeries", "amount": "1"}
            elif "{pk}" in path:
                url = path.replace("{pk}", str(world["points"][check.scope].pk))
                body = {
                    "original_start": world["starts"][check.scope].isoformat(),
                    "status": "cancelled",
                    "reason": "Matrix",
                }
            else:
                url = path.replace("{path:rest}", "no/such/thing")
            _compare(
                f"{method} {url}",
                check.post,
                lambda p, url=url, body=body, method=method: _outcome(
                    clients[p],
                    clients[p].generic(
                        method, url, json.dumps(body), content_type="application/json"
                    ),
                ),
                mismatches,
            )
    assert not mismatches, "\n".join(mismatches)
