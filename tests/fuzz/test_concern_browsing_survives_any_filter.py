"""Any filter on the public concern list, its map data and its RSS and Atom feeds, and any
coordinates typed into the locate form, are answered without a server error (a bad filter
with 400, a bad place with 400 or 404)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, any_text, assert_not_a_server_error, number_text

PATHS = [
    "/en/concerns/",
    "/ru/concerns/",
    "/en/concerns/map.geojson",
    "/en/concerns/feed.rss",
    "/en/concerns/feed.atom",
]
date_text = st.one_of(
    st.dates().map(str),
    st.sampled_from(["1999-12-31", "2101-01-01", "0001-01-01", "9999-12-31", "2026-02-30"]),
    any_text,
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "area": st.one_of(st.sampled_from(["", "millbrook", "north", "x" * 300]), any_text),
        "category": st.one_of(st.sampled_from(["asb-noise", "drugs-litter"]), any_text),
        "status": st.one_of(
            st.sampled_from(["open", "closed", "resolved", "duplicate", "OPEN"]), any_text
        ),
        "date_from": date_text,
        "date_to": date_text,
        "page": st.one_of(number_text, st.sampled_from(["last", "0", "-1", "99999999999"])),
    },
)


@FUZZ
@given(query=filters, path=st.sampled_from(PATHS))
def test_the_list_map_and_feeds_answer_any_filter(
    town: Any, client: Any, query: Any, path: str
) -> None:
    response = client.get(path, query)
    assert_not_a_server_error(response, f"GET {path} {query!r:.300}")
    if response.status_code == 400 and path.endswith(".geojson"):
        assert response.json()["detail"]


@FUZZ
@given(
    query=st.fixed_dictionaries({}, optional={"lat": number_text, "lng": number_text}),
    language=st.sampled_from(["en", "ru"]),
)
def test_the_locate_form_answers_any_coordinates(
    town: Any, client: Any, query: Any, language: str
) -> None:
    response = client.get(f"/{language}/locate/", query)
    assert_not_a_server_error(response, f"GET /locate/ {query!r:.300}")
    assert response.status_code in (200, 302, 400, 404)
