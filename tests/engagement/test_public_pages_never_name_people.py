# ruff: noqa: F811  (the shared fixtures are imported by name)
"""Nobody behind the engagement loop is named in public: not the resident who proposed a
priority, not the reporter of a concern that raised it, not a person who registered for a
meeting or voted online, not a forum member who asked not to be named.

The addresses are discovered, not listed: every named route of the ``engagement``
namespace is filled in with the seeded neighbourhood, forum, priorities and meetings and
fetched in both languages (together with the neighbourhood page), so a new public route is
covered the day it is added."""

from __future__ import annotations

import itertools
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from ourbeat.accounts.models import User
from ourbeat.engagement.models import (
    ItemKind,
    MeetingItem,
    OriginKind,
    Priority,
    PriorityOrigin,
    Question,
    Registration,
    Vote,
)
from ourbeat.engagement.notifications import unfollow_token
from tests.engagement.test_public_helpers import History, history, verified_resident  # noqa: F401

SECRETS = {
    "proposer": "Octavia Proposer-Quill",
    "proposer e-mail": "octavia.quill@proposer-privacy.example",
    "reporter": "Barnaby Reporter-Vance",
    "reporter e-mail": "barnaby.vance@reporter-privacy.example",
    "reporter phone": "07700 900789",
    "registrant": "Cordelia Registrant-Hume",
    "registrant e-mail": "cordelia.hume@registrant-privacy.example",
    "voter e-mail": "voter.wren@voter-privacy.example",
    "hidden member": "Hidden Member",
}


def engagement_routes() -> list[tuple[str, list[str]]]:
    resolver = get_resolver()
    routes = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "engagement" and pattern.name:
                routes.append((pattern.name, sorted(pattern.pattern.converters)))

    walk(resolver.url_patterns, "")
    return routes


def seed_people(town: Any, history: History) -> list[Any]:
    from ourbeat.accounts.models import User
    from ourbeat.concerns import services
    from ourbeat.concerns.models import Category
    from tests.concerns.test_browse_seed import inside

    proposer = verified_resident(SECRETS["proposer e-mail"])
    User.objects.filter(pk=proposer.pk).update(display_name=SECRETS["proposer"])
    Priority.objects.filter(pk__in=[p.pk for p in history.proposals + history.live]).update(
        proposed_by=proposer
    )
    lat, lng = inside(town.home)
    submitted = services.concern_submit(
        category=Category.objects.filter(organisation=town.force, sensitive=False).earliest("pk"),
        latitude=lat,
        longitude=lng,
        description="Speeding every morning by the school.",
        reporter_name=SECRETS["reporter"],
        reporter_email=SECRETS["reporter e-mail"],
        reporter_phone=SECRETS["reporter phone"],
        show_name=False,
    )
    concern = services.concern_publish(
        concern=services.concern_confirm(token=submitted.token), actor=None
    )
    item = MeetingItem.objects.create(
        meeting=history.held[-1], kind=ItemKind.CONCERN, text="Speeding", concern=concern
    )
    live = history.live[0]
    PriorityOrigin.objects.bulk_create(
        [
            PriorityOrigin(priority=live, kind=OriginKind.CONCERN, concern=concern),
            PriorityOrigin(priority=live, kind=OriginKind.MEETING_ITEM, meeting_item=item),
            PriorityOrigin(
                priority=live,
                kind=OriginKind.PROPOSAL,
                proposal=history.proposals[0],
                user=proposer,
            ),
        ]
    )
    Registration.objects.create(
        meeting=history.upcoming[0],
        name=SECRETS["registrant"],
        email=SECRETS["registrant e-mail"],
        needs="Step-free access",
    )
    voter = verified_resident(SECRETS["voter e-mail"])
    Vote.objects.create(priority=live, user=voter, question=Question.RESOLVED, in_favour=True)
    return [live, *history.proposals, *history.resolved]


def test_no_public_engagement_page_feed_or_calendar_names_anyone(
    client_for: Any, town: Any, history: History
) -> None:
    priorities = seed_people(town, history)
    meetings = [history.upcoming[0], history.held[-1], history.missed[0]]
    values = {
        "slug": [town.home.slug, history.forum.slug],
        "pk": [p.pk for p in priorities] + [m.pk for m in meetings],
        # The stop-following page of the voter's link: it names the priority, not the person.
        "token": [
            unfollow_token(priorities[0].pk, User.objects.get(email=SECRETS["voter e-mail"]).pk)
        ],
    }
    client = client_for(None)
    fetched = 0
    routes = engagement_routes()
    assert {"you_said_we_did", "priority", "meeting", "forum", "meetings_ics"} <= {
        name for name, _ in routes
    }
    for language in ("en", "ru"):
        # Inside the override, so that the language the requests switch to is put back.
        with translation.override(language):
            urls = [town.home.get_absolute_url()]
            for name, parameters in routes:
                for combination in itertools.product(*(values[p] for p in parameters)):
                    kwargs = dict(zip(parameters, combination, strict=True))
                    urls.append(reverse(f"engagement:{name}", kwargs=kwargs))
            for url in urls:
                response = client.get(url, follow=True)
                if response.status_code != 200:
                    assert response.status_code in (404, 405), url
                    continue
                body = response.content.decode()
                fetched += 1
                for what, secret in SECRETS.items():
                    assert secret not in body, f"{what} shown at {url}"
    assert fetched >= 20
