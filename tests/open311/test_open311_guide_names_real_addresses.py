"""docs/open311.md names only Open311 addresses that exist, and every one of them."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import resolve

from ourbeat.api import open311

GUIDE = (Path(__file__).resolve().parents[2] / "docs" / "open311.md").read_text(encoding="utf-8")
PATH = re.compile(r"(/open311/v2/[^\s`'\"?)]*)")
DEMO = {"{code}": "asb-noise", "{id}": "MIL-26-000001", "{token}": "MIL-26-000001"}


def test_every_address_the_guide_names_is_a_real_route() -> None:
    paths = set(PATH.findall(GUIDE)) - {"/open311/v2/"}
    assert len(paths) >= 7
    for path in paths:
        for placeholder, value in DEMO.items():
            path = path.replace(placeholder, value)
        match = resolve(path)
        assert match.url_name != "open311_not_found", f"docs/open311.md names {path}"


def test_every_route_is_in_the_guide() -> None:
    named = {
        resolve(p.replace("{code}", "x").replace("{id}", "x").replace("{token}", "x")).url_name
        for p in PATH.findall(GUIDE)
        if p != "/open311/v2/"
    }
    routes = {p.name for p in open311.urlpatterns} - {"open311_not_found"}
    assert routes <= named, routes - named
