# ruff: noqa: F811  (the shared fixtures are imported by name)
"""Per neighbourhood: RSS and Atom feeds of the priorities (a new item for each change of
state) and of the meetings, and an iCalendar of the meetings. They parse, hold the public
fields only and answer 404 for a place that is not a neighbourhood."""

from __future__ import annotations

from typing import Any

import defusedxml.ElementTree as ET
from django.urls import reverse
from icalendar import Calendar

from ourbeat.engagement.models import Priority, PriorityStatus
from tests.engagement.test_public_helpers import History, history, verified_resident  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client: Any, name: str, area: Any, content_type: str) -> Any:
    response = client.get(reverse(f"engagement:{name}", kwargs={"slug": area.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    return ET.fromstring(response.content)


def test_the_priorities_rss_feed_lists_every_state_with_links(
    client_for: Any, history: History
) -> None:
    root = feed(client_for(None), "priorities_feed_rss", history.area, "application/rss+xml")
    items = {i.findtext("title"): i for i in root.iter("item")}
    resolved = history.resolved[0]
    title = f"{resolved.title} · Resolved"
    assert title in items
    assert items[title].findtext("link").endswith(resolved.get_absolute_url())
    assert "Enforcement visits every week" in items[title].findtext("description")
    assert items[title].findtext("pubDate")
    dropped = items[f"{history.dropped[0].title} · Dropped"]
    assert "Residents agreed it is no longer a problem." in dropped.findtext("description")
    for p in history.proposals + history.live:
        assert f"{p.title} · {p.get_status_display()}" in items


def test_a_change_of_state_is_a_new_item_for_feed_readers(
    client_for: Any, history: History
) -> None:
    proposal = history.proposals[0]
    client = client_for(None)

    def guid() -> str:
        root = feed(client, "priorities_feed_rss", history.area, "application/rss+xml")
        item = next(i for i in root.iter("item") if i.findtext("title").startswith(proposal.title))
        return str(item.findtext("guid"))

    before = guid()
    Priority.objects.filter(pk=proposal.pk).update(status=PriorityStatus.ADOPTED)
    assert guid() != before


def test_the_priorities_atom_feed_parses_and_names_nobody(
    client_for: Any, town: Any, history: History
) -> None:
    proposer = verified_resident("proposer.name@example.org")
    Priority.objects.filter(pk=history.proposals[0].pk).update(proposed_by=proposer)
    response = client_for(None).get(
        reverse("engagement:priorities_feed_atom", kwargs={"slug": history.area.slug})
    )
    assert "proposer.name@example.org" not in response.content.decode()
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = list(root.iter(f"{ATOM}entry"))
    assert len(entries) == len(history.proposals + history.live) + 3
    for entry in entries:
        assert entry.find(f"{ATOM}author") is None
        assert entry.findtext(f"{ATOM}updated")


def test_the_meetings_feeds_list_upcoming_held_missed_and_cancelled_meetings(
    client_for: Any, history: History
) -> None:
    client = client_for(None)
    root = feed(client, "meetings_feed_rss", history.area, "application/rss+xml")
    titles = [i.findtext("title") for i in root.iter("item")]
    assert any(t.startswith("Next beat meeting") for t in titles)
    assert any(t.startswith("Not held: ") for t in titles)
    assert any(t.startswith("Cancelled: ") for t in titles)
    descriptions = " ".join(i.findtext("description") for i in root.iter("item"))
    assert "Where: Community hall, 1 High Street" in descriptions
    assert "The hall was flooded." in descriptions
    atom = feed(client, "meetings_feed_atom", history.area, "application/atom+xml")
    assert len(list(atom.iter(f"{ATOM}entry"))) == len(titles)


def test_the_meetings_calendar_holds_the_neighbourhoods_meetings(
    client_for: Any, history: History
) -> None:
    response = client_for(None).get(
        reverse("engagement:meetings_ics", kwargs={"slug": history.area.slug})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    upcoming = history.upcoming[0]
    assert upcoming.title in events
    assert str(events[upcoming.title]["location"]) == "Community hall, 1 High Street"
    assert any(s.startswith("Cancelled: ") for s in events)
    assert str(events[upcoming.title]["url"]).endswith(upcoming.get_absolute_url())


def test_feeds_and_calendar_of_an_unknown_place_or_a_district_are_404(
    client_for: Any, town: Any
) -> None:
    client = client_for(None)
    for name in (
        "priorities_feed_rss",
        "priorities_feed_atom",
        "meetings_feed_rss",
        "meetings_feed_atom",
        "meetings_ics",
    ):
        for slug in ("no-such-place", town.districts[0].slug):
            assert (
                client.get(reverse(f"engagement:{name}", kwargs={"slug": slug})).status_code == 404
            )


def test_hostile_titles_stay_text_in_the_feeds(client_for: Any, history: History) -> None:
    Priority.objects.filter(pk=history.proposals[0].pk).update(
        title="]]><script>alert(1)</script><![CDATA["
    )
    response = client_for(None).get(
        reverse("engagement:priorities_feed_rss", kwargs={"slug": history.area.slug})
    )
    root = ET.fromstring(response.content)  # still well-formed XML
    titles = [i.findtext("title") for i in root.iter("item")]
    assert "]]><script>alert(1)</script><![CDATA[ · Proposed" in titles
