"""The anonymous neighbourhood page is cached, and every staff change bumps the area's
content version, so the next anonymous visitor sees the change at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ourbeat.teams import services
from ourbeat.teams.models import ContactPoint


def _page(client_for: Any, town: Any, page: str = "") -> str:
    return client_for(None).get(f"/en/n/{town.home.slug}/{page}").content.decode()


def test_editing_a_contact_point_shows_at_once(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    point = ContactPoint.objects.filter(area=town.home, cancelled=False).exclude(rrule="").first()
    assert point is not None
    assert point.venue in _page(client_for, town)  # now cached
    officer = client_for(personas["officer"])
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(point).items() if v is not None}
    data.update(
        venue="Quokka Community Hall",
        starts_at=point.starts_at.astimezone().strftime("%Y-%m-%dT%H:%M"),
    )
    for key in ("id", "area", "cancelled"):
        data.pop(key, None)
    response = officer.post(f"/en/staff/contact-points/{point.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert "Quokka Community Hall" in _page(client_for, town)


def test_profile_and_commitment_changes_show_at_once(
    town: Any, personas: dict[str, Any], client_for: Any
) -> None:
    assert "Pat Officer" in _page(client_for, town, "team/")
    _page(client_for, town)
    profile = personas["officer"].officer_profile
    services.profile_update(
        profile=profile,
        actor=personas["officer"],
        name="Pat Wombat",
        rank="Sergeant",
        bio="",
        languages=["en"],
    )
    assert "Pat Wombat" in _page(client_for, town, "team/")
    services.commitments_set(
        area=town.home, actor=personas["officer"], targets={"walk_and_talks": Decimal("77")}
    )
    assert "77" in _page(client_for, town).split('class="visibility"')[1]
