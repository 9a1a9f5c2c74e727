# ruff: noqa: F811  (the shared fixtures are imported by name)
"""A resident opens the neighbourhood's "you said, we did": current priorities with their
actions and progress, proposals with their support counted apart, the next meetings and the
past ones (held with minutes, missed, cancelled), past priorities with their outcome and the
community's verdict."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from tests.engagement.test_public_helpers import History, history  # noqa: F401


def page(client: Any, area: Any, **params: Any) -> str:
    response = client.get(reverse("engagement:you_said_we_did", kwargs={"slug": area.slug}), params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The HTML of the section labelled by the heading with this id."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find("<section", start + 1)
    return html[start : end if end > 0 else len(html)]


def test_the_page_shows_current_priorities_with_actions_progress_and_overdue_actions(
    client_for: Any, history: History
) -> None:
    html = section(page(client_for(None), history.area), "live-heading")
    for priority in history.live:
        assert priority.title in html
        assert f'href="/en/priorities/{priority.pk}/"' in html
    assert "1 of 3 actions done" in html
    assert "1 overdue" in html
    assert "Twelve drivers warned." in html
    assert re.search(r'<progress id="progress-\d+" max="3" value="1">', html)
    assert "Have your say" in html  # the one under review


def test_proposals_show_verified_and_anonymous_support_apart(
    client_for: Any, history: History
) -> None:
    from ourbeat.engagement.models import Question, Vote
    from tests.engagement.test_public_helpers import verified_resident

    proposal = history.proposals[0]
    for n in range(2):
        Vote.objects.create(
            priority=proposal,
            question=Question.ADOPT,
            user=verified_resident(f"supporter{n}@example.org"),
            in_favour=True,
        )
    html = section(page(client_for(None), history.area), "proposals-heading")
    assert proposal.title in html
    assert "2 verified residents support it" in html
    assert f"{proposal.anonymous_support} supporters without an account" in html


def test_meetings_show_the_next_ones_and_past_ones_held_missed_or_cancelled(
    client_for: Any, history: History
) -> None:
    html = section(page(client_for(None), history.area), "meetings-heading")
    upcoming, past = html.split("Past meetings", 1)
    assert "Next beat meeting" in upcoming
    assert "Registration required." in upcoming
    assert "Step-free entrance, hearing loop." in upcoming
    assert "Missed" in past
    assert "this meeting was due but was not held." in past
    assert "Cancelled" in past
    assert "The hall was flooded." in past
    newest_held = history.held[-1]
    assert newest_held.title in past
    assert f"Held, {newest_held.attendance} people attended." in past
    assert "residents spoke about parking" in past


def test_past_priorities_show_outcome_reason_and_the_communitys_verdict(
    client_for: Any, history: History
) -> None:
    html = section(page(client_for(None), history.area), "past-heading")
    resolved, dropped = history.resolved[0], history.dropped[0]
    assert resolved.title in html
    assert dropped.title in html
    assert "Enforcement visits every week" in html
    assert "Residents agreed it is no longer a problem." in html
    assert "Confirmed resolved by the community at" in html
    assert "14 for, 2 against, 1 abstained." in html


def test_past_priorities_and_meetings_are_paginated_newest_first(
    client_for: Any, town: Any
) -> None:
    from tests.engagement.test_public_helpers import build_history, clear_engagement

    clear_engagement(town.home)
    history = build_history(town.home, years=2, closed=25, proposals=0, live=0)
    client = client_for(None)
    first = section(page(client, town.home), "past-heading")
    assert "Past priority 1<" in first  # closed most recently
    assert "Past priority 11<" not in first
    assert "Page 1 of 3" in first
    assert "?past=2#past" in first
    third = section(page(client, town.home, past=3), "past-heading")
    assert "Past priority 25<" in third
    assert "Past priority 1<" not in third
    meetings = section(page(client, town.home, meetings=2, past=3), "meetings-heading")
    assert "Page 2 of 3" in meetings
    assert "meetings=3&amp;past=3#meetings" in meetings or "meetings=3&past=3#meetings" in meetings
    assert f"{history.held[0].title}<" not in meetings  # the oldest is on the last page


def test_bad_page_numbers_fall_back_to_a_page_that_exists(
    client_for: Any, history: History
) -> None:
    client = client_for(None)
    for value in ("0", "-1", "abc", "<script>", "' OR 1=1 --", "9" * 40, "99999"):
        html = page(client, history.area, past=value, meetings=value, proposals=value)
        assert "<script>" not in html.split("</header>", 1)[1]


def test_an_unknown_neighbourhood_or_a_district_is_a_404(client_for: Any, town: Any) -> None:
    client = client_for(None)
    assert client.get("/en/n/no-such-place/you-said-we-did/").status_code == 404
    district = town.districts[0]
    assert client.get(f"/en/n/{district.slug}/you-said-we-did/").status_code == 404


def test_an_empty_neighbourhood_says_so(client_for: Any, town: Any) -> None:
    from tests.engagement.test_public_helpers import clear_engagement

    clear_engagement(town.home)
    html = page(client_for(None), town.home)
    assert "No priorities are being worked on at the moment." in html
    assert "No proposals are waiting for support." in html
    assert "No meetings are planned yet." in html
    assert "No priority has been closed yet." in html


def test_the_neighbourhood_page_shows_current_priorities_the_next_meeting_and_a_link(
    client_for: Any, history: History
) -> None:
    html = client_for(None).get(history.area.get_absolute_url()).content.decode()
    for priority in history.live:
        assert priority.title in html
    assert "Next beat meeting" in html
    assert reverse("engagement:you_said_we_did", kwargs={"slug": history.area.slug}) in html
    assert "2 proposals are open for support." in html


def test_hostile_text_is_escaped_and_personal_details_are_masked(
    client_for: Any, history: History
) -> None:
    proposal = history.proposals[0]
    proposal.title = "<script>alert(1)</script> call 07700 900123"
    proposal.save()
    html = page(client_for(None), history.area)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "07700 900123" not in html
    assert "[phone number removed]" in html


def test_the_page_is_cached_for_anonymous_visitors_until_the_area_changes(
    client_for: Any, history: History, django_assert_max_num_queries: Any
) -> None:
    from ourbeat.places.services import area_touch

    client = client_for(None)
    page(client, history.area)
    history.live[0].title = "Renamed behind the cache's back"
    history.live[0].save()
    with django_assert_max_num_queries(2):
        assert "Renamed behind" not in page(client, history.area)
    area_touch([history.area.pk])
    assert "Renamed behind the cache&#x27;s back" in page(client, history.area)


def test_a_change_to_a_district_forum_also_refreshes_the_cached_page(
    client_for: Any, history: History
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ourbeat.engagement.models import Forum, ForumKind, Meeting
    from ourbeat.places.services import area_touch

    client = client_for(None)
    page(client, history.area)
    district = history.area.parent
    youth = Forum.objects.create(
        area=district,
        organisation=district.organisation,
        kind=ForumKind.YOUTH_FORUM,
        name="District youth forum",
        slug="district-youth-forum-test",
    )
    now = timezone.now()
    Meeting.objects.create(
        forum=youth,
        title="Youth forum night",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
        venue="Youth club",
    )
    area_touch([district.pk])
    assert "Youth forum night" in page(client, history.area)
