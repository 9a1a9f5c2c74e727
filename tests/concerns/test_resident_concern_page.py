"""The public page of a published concern: what was reported, the thread, the commitment
and an anonymised place; never the reporter's identity nor the exact point."""

from __future__ import annotations

from typing import Any

from ourbeat.concerns import services
from ourbeat.concerns.models import Concern
from ourbeat.concerns.selectors import public_point
from tests.concerns.test_report_helpers import published_concern

IDENTITY = {
    "reporter_name": "Zebedee Quillfeather",
    "reporter_email": "zq-unique@example.org",
    "reporter_phone": "07700 900461",
}


def test_the_page_shows_the_published_text_never_the_raw_description(
    town: Any, client: Any
) -> None:
    concern = published_concern(town.home, description="Graffiti, call me on 07700 900123")
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "07700 900123" not in html
    assert "[phone number removed]" in html
    assert concern.category.label in html
    assert concern.area.name in html


def test_the_page_never_shows_who_reported_it_nor_the_exact_point(town: Any, client: Any) -> None:
    concern = published_concern(town.home, **IDENTITY)
    html = client.get(concern.get_absolute_url()).content.decode()
    for value in IDENTITY.values():
        assert value not in html
    exact = Concern.objects.values_list("latitude", "longitude").get(pk=concern.pk)
    assert f"{exact[0]}" not in html
    assert f"{exact[1]}" not in html
    lat, lng = public_point(concern) or (0, 0)
    assert (lat, lng) != exact


def test_the_name_is_shown_only_when_the_resident_allowed_it(town: Any, client: Any) -> None:
    concern = published_concern(town.home, **IDENTITY, show_name=True)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "by Zebedee Quillfeather" in html
    assert IDENTITY["reporter_email"] not in html
    assert IDENTITY["reporter_phone"] not in html


def test_the_public_thread_leaves_out_notes_and_hidden_updates(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    services.concern_respond(concern=concern, actor=None, text="We have asked the council.")
    services.concern_note(concern=concern, actor=None, text="Internal: known tagger")
    services.concern_reply(token=concern.token, text="Resident reply, private")
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "We have asked the council." in html
    assert "known tagger" not in html
    assert "Resident reply, private" not in html


def test_the_page_shows_the_response_commitment(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert f"First response within {concern.category.first_response_days} working days" in html


def test_a_sensitive_concern_has_no_map(town: Any, client: Any) -> None:
    from ourbeat.concerns.models import Category

    code = Category.objects.filter(sensitive=True).values_list("code", flat=True).first()
    concern = published_concern(town.home, category=str(code))
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "not shown on a map" in html
    assert "concern-map-data" not in html


def test_unpublished_and_hidden_concerns_are_not_found(town: Any, client: Any) -> None:
    concern = published_concern(town.home)
    services.concern_hide(concern=concern, actor=None, reason="abusive")
    assert client.get(concern.get_absolute_url()).status_code == 404
    assert client.get("/en/concerns/MIL-26-999999/").status_code == 404
