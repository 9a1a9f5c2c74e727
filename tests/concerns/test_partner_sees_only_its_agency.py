"""Partner agency staff see only the concerns routed or referred to their agency, handle
those, and keep read access to what they refer on."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.concerns.models import Category, Concern
from ourbeat.concerns.selectors import staff_concerns
from ourbeat.concerns.services import concern_refer, concern_submit

pytestmark = pytest.mark.django_db


def submit(area: Any, code: str) -> Concern:
    return concern_submit(
        category=Category.objects.get(code=code),
        latitude=area.centre_lat,
        longitude=area.centre_lng,
        description="Something",
        reporter_email="x@example.net",
    ).concern


def test_routing_sends_lights_everywhere_and_drug_litter_in_the_east_to_the_council(
    town: Any, personas: dict[str, Any]
) -> None:
    partner = personas["partner_staff"]
    light = submit(town.home, "street-light")
    litter_east = submit(town.elsewhere, "drugs-litter")
    litter_west = submit(town.home, "drugs-litter")
    noise = submit(town.home, "asb-noise")
    visible = set(staff_concerns(partner).values_list("pk", flat=True))
    assert {light.pk, litter_east.pk} <= visible
    assert not {litter_west.pk, noise.pk} & visible
    assert all(c.responsible_id == town.council.pk for c in staff_concerns(partner))


def test_partner_staff_handle_their_agency_concerns_only(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["partner_staff"])
    light = submit(town.home, "street-light")
    noise = submit(town.home, "asb-noise")
    assert client.get(f"/en/staff/concerns/{light.reference}/").status_code == 200
    assert client.get(f"/en/staff/concerns/{noise.reference}/").status_code == 403
    response = client.post(
        f"/en/staff/concerns/{light.reference}/status/", {"status-status": "acknowledged"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/en/staff/concerns/{noise.reference}/status/", {"status-status": "acknowledged"}
    )
    assert response.status_code == 403


def test_a_referral_to_the_council_is_seen_by_partner_staff_and_still_read_by_the_police(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    noise = submit(town.home, "asb-noise")
    concern_refer(concern=noise, actor=personas["officer"], to=town.council, note="Housing")
    assert staff_concerns(personas["partner_staff"]).filter(pk=noise.pk).exists()
    for persona in ("officer", "supervisor", "analyst", "org_admin"):
        assert staff_concerns(personas[persona]).filter(pk=noise.pk).exists(), persona
        client = client_for(personas[persona])
        assert client.get(f"/en/staff/concerns/{noise.reference}/").status_code == 200
        response = client.post(
            f"/en/staff/concerns/{noise.reference}/note/", {"note-text": "Still ours?"}
        )
        assert response.status_code == 403, persona


def test_the_council_refers_back_and_then_only_reads(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    light = submit(town.home, "street-light")
    partner = client_for(personas["partner_staff"])
    response = partner.post(
        f"/en/staff/concerns/{light.reference}/refer/",
        {"refer-organisation": town.force.pk, "refer-note": "Drug dealing under the light"},
    )
    assert response.status_code == 302
    assert partner.get(f"/en/staff/concerns/{light.reference}/").status_code == 200
    officer = client_for(personas["officer"])
    assert officer.get(f"/en/staff/concerns/{light.reference}/").status_code == 200


def test_read_access_after_a_referral_stays_within_the_senders_area_scope(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    noise = submit(town.elsewhere, "asb-noise")
    concern_refer(concern=noise, actor=personas["org_admin"], to=town.council, note="Housing")
    assert (
        client_for(personas["org_admin"]).get(f"/en/staff/concerns/{noise.reference}/").status_code
        == 200
    )
    officer = client_for(personas["officer"])  # scoped to another neighbourhood
    assert officer.get(f"/en/staff/concerns/{noise.reference}/").status_code == 403
