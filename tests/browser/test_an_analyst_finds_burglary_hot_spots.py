"""Done-when 2 of the scanning issue: an analyst of a police service signs in (password and
TOTP), imports a whole month of police.uk street crime (Essex, March 2018) through the
import page, runs hot spots for burglary, sees the map and the table of significant cells,
and follows "Propose a priority here" from a hot spot to the neighbourhood's proposal form,
prefilled with the hot spot."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import shapely
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, sign_in
from tests.fixtures.browser import axe_violations
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

ESSEX = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "data"
    / "policeuk"
    / "street"
    / "2018-03-essex-street.csv"
)

SETUP = """
import json
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from ourbeat.accounts.models import Membership, Role, User
from ourbeat.places.models import Organisation
from ourbeat.places.services import areas_import

force = Organisation.objects.create(
    kind="police_service", name="Essex Police {tag}", slug="essex-{tag}"
)
levels = json.loads({levels!r})
parent = None
for level in ("service", "district", "neighbourhood"):
    result = areas_import(
        organisation=force,
        level=level,
        parent=parent,
        data=json.dumps(levels[level]).encode(),
        filename="essex.geojson",
        actor=None,
    )
    parent = force.areas.get(level=level) if level != "neighbourhood" else None
user = User.objects.create_user(email={email!r}, password={password!r})
Membership.objects.create(user=user, organisation=force, role=Role.ANALYST)
EmailAddress.objects.create(user=user, email={email!r}, verified=True, primary=True)
secret = generate_totp_secret()
TOTP.activate(user, secret)
print(secret)
"""


TEARDOWN = """
from ourbeat.places.models import Area, Organisation

force = Organisation.objects.get(slug="essex-{tag}")
for level in ("neighbourhood", "district", "service"):
    Area.objects.filter(organisation=force, level=level).delete()
force.delete()
"""


@dataclass
class Analyst:
    email: str
    totp_secret: str

    def totp_code(self) -> str:
        import time

        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        return format_hotp_value(hotp_value(self.totp_secret, int(time.time()) // 30))


def _feature(name: str, code: str, geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": name, "code": code},
        "geometry": shapely.geometry.mapping(geometry),
    }


def _essex_areas(tag: str) -> dict[str, Any]:
    """A service area, one district and two neighbourhoods (west and east) around the
    month's points: the hull of every located row, with a margin."""
    with ESSEX.open(newline="", encoding="utf-8") as handle:
        points = [
            (float(row["Longitude"]), float(row["Latitude"]))
            for row in csv.DictReader(handle)
            if row["Longitude"] and row["Latitude"]
        ]
    hull = shapely.MultiPoint(points).convex_hull.buffer(0.02).simplify(0.005)
    west, south, east, north = hull.bounds
    middle = (west + east) / 2
    halves = [
        hull.intersection(shapely.box(west - 1, south - 1, middle, north + 1)),
        hull.intersection(shapely.box(middle, south - 1, east + 1, north + 1)),
    ]

    def collection(*features: dict[str, Any]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": list(features)}

    return {
        "service": collection(_feature(f"Essex {tag}", f"ESX-{tag}", hull)),
        "district": collection(_feature(f"Essex county {tag}", f"ESXD-{tag}", hull)),
        "neighbourhood": collection(
            _feature(f"Essex West {tag}", f"ESXW-{tag}", halves[0]),
            _feature(f"Essex East {tag}", f"ESXE-{tag}", halves[1]),
        ),
    }


@pytest.fixture
def analyst(live_site: Any) -> Iterator[Analyst]:
    tag = unique_tag()
    email = f"analyst-{tag}@example.org"
    out = live_site.shell(
        SETUP.format(
            tag=tag,
            levels=json.dumps(_essex_areas(tag)),
            email=email,
            password=PASSWORD,
        )
    )
    yield Analyst(email=email, totp_secret=out.splitlines()[-1])
    # The live site is shared by every browser test, and its public map shows every
    # organisation's areas: take Essex away again (its incidents, imports and runs go with
    # the organisation; the analyst's account stays, as the audit log names it).
    live_site.shell(TEARDOWN.format(tag=tag))


def test_an_analyst_imports_a_month_and_proposes_a_priority_from_a_burglary_hot_spot(
    live_site: Any, desk: Any, analyst: Analyst
) -> None:
    page = desk
    sign_in(page, live_site.url, analyst.email, PASSWORD)
    page.locator('input[name="code"]').fill(analyst.totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff tools")

    page.goto(f"{live_site.url}/en/staff/scan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanning")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Import incidents", exact=True).click()
    page.get_by_label("Files").set_input_files(str(ESSEX))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-summary")).to_contain_text("16,014 added", timeout=120_000)

    page.goto(f"{live_site.url}/en/staff/scan/")
    page.get_by_role("link", name="Hot spots", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hot spots")
    page.locator("#field-category summary").click()
    page.get_by_label("Burglary", exact=True).check()
    page.get_by_label("From", exact=True).fill("2018-03-01")
    page.get_by_label("To (inclusive)", exact=True).fill("2018-03-31")
    page.get_by_label("H3 resolution", exact=True).fill("7")
    page.get_by_role("button", name="Run the analysis").click()

    # The map: hexagons with their titles, and its legend.
    expect(page.get_by_role("heading", name="Map of hot and cold spots")).to_be_visible(
        timeout=120_000
    )
    hexagons = page.locator("#hotspot-map path.hex")
    assert hexagons.count() > 100
    expect(page.locator("#hotspot-map-title")).to_have_text("Hot and cold spots")
    expect(page.locator(".map-legend").first).to_contain_text("Hot spot, 95% confidence")
    # The table of significant cells, hot spots first.
    rows = page.locator("#hotspot-table tbody tr")
    assert rows.count() > 0
    first = rows.first
    expect(first).to_contain_text("Hot spot")
    assert axe_violations(page) == []

    link = first.get_by_role("link", name="Propose a priority here")
    neighbourhood = first.locator("th .hint").inner_text()
    assert neighbourhood.startswith("Essex ")
    link.click()
    expect(page.get_by_label("What should the neighbourhood's priority be?")).to_have_value(
        f"Burglary hot spot in {neighbourhood}"
    )
    expect(page.get_by_label("What is the problem, and where? (optional)")).to_contain_text(
        "Scanning found a hot spot of Burglary"
    )
