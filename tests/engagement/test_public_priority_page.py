# ruff: noqa: F811  (the shared fixtures are imported by name)
"""A priority's public page shows its whole chain: where it came from (counts, with links
only to what is itself public, never names), its adoption, the actions with their results,
the votes and the community's verdict, and its history (carried over from and into)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ourbeat.engagement.models import (
    ItemKind,
    MeetingItem,
    MeetingVote,
    OriginKind,
    Priority,
    PriorityOrigin,
    PriorityStatus,
    Question,
)
from tests.engagement.test_public_helpers import History, build_history, history  # noqa: F401


def page(client: Any, priority: Any) -> str:
    response = client.get(priority.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def concern(town: Any, *, published: bool, text: str) -> Any:
    from ourbeat.concerns import services
    from ourbeat.concerns.models import Category
    from tests.concerns.test_browse_seed import inside

    category = Category.objects.filter(organisation=town.force, sensitive=False).earliest("pk")
    lat, lng = inside(town.home)
    submitted = services.concern_submit(
        category=category,
        latitude=lat,
        longitude=lng,
        description=text,
        reporter_name="Ravi Reporter",
        reporter_email="ravi.reporter@example.org",
        reporter_phone="07700 900456",
    )
    confirmed = services.concern_confirm(token=submitted.token)
    if published:
        return services.concern_publish(concern=confirmed, actor=None)
    return confirmed


def test_provenance_is_counted_and_links_only_to_public_concerns(
    client_for: Any, town: Any, history: History
) -> None:
    priority = history.live[0]
    public = concern(town, published=True, text="Cars speed past the school gates.")
    private = concern(town, published=False, text="Speeding again, my name is Ravi.")
    item = MeetingItem.objects.create(
        meeting=history.held[-1], kind=ItemKind.CONCERN, text="Speeding raised at the meeting"
    )
    merged = Priority.objects.create(
        area=town.home, title="Slow the traffic down", published_at=timezone.now()
    )
    unread = Priority.objects.create(area=town.home, title="Unread: the racer at number 4")
    PriorityOrigin.objects.bulk_create(
        [
            PriorityOrigin(priority=priority, kind=OriginKind.CONCERN, concern=public),
            PriorityOrigin(priority=priority, kind=OriginKind.CONCERN, concern=private),
            PriorityOrigin(priority=priority, kind=OriginKind.MEETING_ITEM, meeting_item=item),
            PriorityOrigin(priority=priority, kind=OriginKind.PROPOSAL, proposal=merged),
            PriorityOrigin(priority=priority, kind=OriginKind.PROPOSAL, proposal=unread),
        ]
    )
    html = page(client_for(None), priority)
    assert "2 concerns" in html
    assert "1 meeting" in html
    assert "3 proposals" in html
    # A proposal no moderator has read is counted, never linked or quoted.
    assert unread.get_absolute_url() not in html
    assert "the racer at number 4" not in html
    assert f'href="/en/concerns/{public.reference}/"' in html
    assert private.reference not in html
    assert history.held[-1].get_absolute_url() in html
    assert merged.get_absolute_url() in html
    for secret in ("Ravi Reporter", "ravi.reporter@example.org", "07700 900456", "my name is"):
        assert secret not in html


def test_actions_results_overdue_adoption_and_history_are_shown(
    client_for: Any, history: History
) -> None:
    priority = history.live[0]
    html = page(client_for(None), priority)
    assert "1 of 3 actions done" in html
    assert "1 overdue" in html
    assert "Twelve drivers warned." in html
    assert "Speed checks with the council&#x27;s camera van." in html
    assert f'at <a href="{priority.adopted_at_meeting.get_absolute_url()}">' in html
    assert "action done: Action 1 on" in html


def test_the_community_verdict_and_votes_are_shown_for_a_resolved_priority(
    client_for: Any, history: History
) -> None:
    resolved = history.resolved[0]
    html = page(client_for(None), resolved)
    assert "Enforcement visits every week" in html
    assert "Confirmed resolved by the community at" in html
    assert "14 for, 2 against, 1 abstained." in html
    assert "Carried" in html
    assert "Follow this priority" not in html  # nothing more to follow


def test_an_adoption_vote_that_failed_and_a_dropped_reason_are_public(
    client_for: Any, history: History
) -> None:
    dropped = history.dropped[0]
    MeetingVote.objects.create(
        meeting=history.held[0],
        priority=dropped,
        question=Question.RESOLVED,
        in_favour=3,
        against=9,
    )
    html = page(client_for(None), dropped)
    assert "Residents agreed it is no longer a problem." in html
    assert "Not confirmed resolved at" in html
    assert "3 for, 9 against, 0 abstained." in html


def test_a_carried_over_priority_links_to_what_it_became_and_back(
    client_for: Any, town: Any, history: History
) -> None:
    old = history.carried[0]
    follow_on = Priority.objects.create(
        area=town.home,
        title="Parking by the school, term two",
        status=PriorityStatus.ACTIVE,
        carried_over_from=old,
        adopted_at=timezone.now() - timedelta(days=1),
        published_at=timezone.now() - timedelta(days=1),
    )
    client = client_for(None)
    assert follow_on.get_absolute_url() in page(client, old)
    assert "Work continues next term." in page(client, old)
    html = page(client, follow_on)
    assert "Carried over from" in html
    assert old.get_absolute_url() in html


def test_the_page_costs_the_same_queries_with_many_origins_and_actions(
    client_for: Any, town: Any
) -> None:
    from tests.engagement.test_public_helpers import clear_engagement

    clear_engagement(town.home)
    small = build_history(town.home, closed=0, proposals=0, live=1, actions_each=1).live[0]
    large = build_history(
        town.home, closed=0, proposals=0, live=1, actions_each=40, tag=" large"
    ).live[0]
    items = MeetingItem.objects.bulk_create(
        [
            MeetingItem(meeting=large.adopted_at_meeting, kind=ItemKind.CONCERN, text=f"item {n}")
            for n in range(30)
        ]
    )
    PriorityOrigin.objects.bulk_create(
        [
            PriorityOrigin(priority=large, kind=OriginKind.MEETING_ITEM, meeting_item=i)
            for i in items
        ]
    )
    client = client_for(None)
    counts = []
    for priority in (small, large):
        with CaptureQueriesContext(connection) as captured:
            page(client, priority)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12


def test_an_unknown_priority_is_a_404(client_for: Any, town: Any) -> None:
    client = client_for(None)
    assert client.get("/en/priorities/999999/").status_code == 404
    assert client.get("/en/priorities/abc/").status_code == 404
