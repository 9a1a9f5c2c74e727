"""A resident opens a neighbourhood page: the team, how to reach them, upcoming contact
points and the visibility commitment."""

from __future__ import annotations

from typing import Any


def test_the_neighbourhood_page_names_the_team_and_shows_the_emergency_number_first(
    client_for: Any, town: Any
) -> None:
    area = town.home
    response = client_for(None).get(f"/en/n/{area.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert area.name in html
    emergency = html.index("Emergency: call 999")
    assert emergency < html.index("Non-emergency telephone")
    for assignment in area.assignments.select_related("profile"):
        assert assignment.profile.name in html


def test_an_unknown_neighbourhood_is_a_404(client_for: Any, town: Any) -> None:
    assert client_for(None).get("/en/n/no-such-place/").status_code == 404
