"""docs/api.md names only endpoints that exist, and names every one of them: each request it
shows, filled in with the demo town's values, reaches a real route of the API (never the
catch-all 404), and each route of both APIs appears in the guide."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
PATH = re.compile(r"(/api/(?:v1|police-uk)/[^\s`'\"?)]*)")
DEMO = {
    "{slug}": "mill-lane",
    "{force}": "millbrook",
    "{id}": "MB01",
    "{pk}": "1",
    "{run_id}": "1",
}


def named_paths() -> set[str]:
    found = set()
    for path in PATH.findall(GUIDE):
        for placeholder, value in DEMO.items():
            path = path.replace(placeholder, value)
        found.add(path.rstrip("/.,") or path)
    return found


def test_every_endpoint_the_guide_names_exists() -> None:
    paths = {p for p in named_paths() if p not in {"/api/v1", "/api/police-uk"}}
    assert len(paths) > 15
    for path in sorted(paths):
        try:
            match = resolve(path)
        except Resolver404:
            raise AssertionError(f"docs/api.md names {path}, which is not an endpoint") from None
        assert match.kwargs.get("rest") is None, f"docs/api.md names {path}: no such endpoint"


def test_every_endpoint_is_in_the_guide() -> None:
    from ourbeat.api.api import api
    from ourbeat.api.police_uk import police_uk_api

    documented = set(PATH.findall(GUIDE))
    for prefix, ninja_api in (("/api/v1", api), ("/api/police-uk/", police_uk_api)):
        schema: Any = ninja_api.get_openapi_schema(path_prefix=prefix)
        for route in schema["paths"]:
            # The guide calls the neighbourhood id {id}, as police.uk's documentation does.
            route = route.replace("//", "/").replace("{neighbourhood}", "{id}")
            assert route in documented, f"docs/api.md does not name {route}"
