# ruff: noqa: F811  (the shared fixtures are imported by name)
"""RSS and Atom feeds of public concerns, for any filter of the list: they parse, respect
the filters and carry no reporter detail or exact point."""

from __future__ import annotations

from typing import Any

import defusedxml.ElementTree as ET

from tests.concerns.test_browse_seed import Seeded, clean_slate, seeded  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client: Any, params: dict[str, str] | None = None) -> list[Any]:
    response = client.get("/en/concerns/feed.rss", params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss"
    return list(root.iter("item"))


def atom_entries(client: Any, params: dict[str, str] | None = None) -> list[Any]:
    response = client.get("/en/concerns/feed.atom", params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return list(root.iter(f"{ATOM}entry"))


def test_the_rss_feed_lists_public_concerns_with_title_text_link_and_date(
    client_for: Any, seeded: Seeded
) -> None:
    items = rss_items(client_for(None))
    titles = [i.findtext("title") for i in items]
    concern = seeded.open_noise
    title = f"{concern.reference} · Noise and nuisance · {concern.area.name}"
    assert title in titles
    item = items[titles.index(title)]
    assert item.findtext("description") == concern.public_text
    assert item.findtext("link").endswith(f"/en/concerns/{concern.reference}/")
    assert item.findtext("pubDate")
    assert len(items) == len(seeded.all_public)
    assert item.find("author") is None


def test_the_atom_feed_lists_the_same_concerns(client_for: Any, seeded: Seeded) -> None:
    entries = atom_entries(client_for(None))
    assert len(entries) == len(seeded.all_public)
    titles = {e.findtext(f"{ATOM}title") for e in entries}
    assert any(t.startswith(seeded.speeding_elsewhere.reference) for t in titles)
    for entry in entries:
        assert entry.findtext(f"{ATOM}published")
        assert entry.find(f"{ATOM}author") is None


def test_the_feeds_respect_the_filters(client_for: Any, town: Any, seeded: Seeded) -> None:
    client = client_for(None)
    closed = rss_items(client, {"status": "closed"})
    assert [i.findtext("title").split(" · ")[0] for i in closed] == [seeded.closed_noise.reference]
    elsewhere = atom_entries(client, {"area": town.elsewhere.parent.slug})
    assert [e.findtext(f"{ATOM}title").split(" · ")[0] for e in elsewhere] == [
        seeded.speeding_elsewhere.reference
    ]
    noise = rss_items(client, {"category": "asb-noise", "status": "open"})
    assert len(noise) == 1


def test_the_feeds_leave_out_unpublished_and_hidden_concerns(
    client_for: Any, seeded: Seeded
) -> None:
    client = client_for(None)
    for url in ("/en/concerns/feed.rss", "/en/concerns/feed.atom"):
        body = client.get(url).content.decode()
        assert seeded.unpublished.reference not in body
        assert seeded.hidden.reference not in body


def test_bad_filters_still_give_a_valid_feed(client_for: Any, seeded: Seeded) -> None:
    items = rss_items(client_for(None), {"date_from": "<script>", "area": "' OR 1=1"})
    assert len(items) == len(seeded.all_public)
