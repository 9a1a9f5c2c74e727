"""The "is it one of these?" suggestions of the report form: open, published concerns near
the point, the same category ranked by how alike the texts are, another category only when
its text is very similar; never a sensitive category, an unpublished, hidden or closed
concern, and only public data (the published text, the public cell)."""

from __future__ import annotations

from typing import Any

import pytest

from ourbeat.analytics.recurring import similar_open_concerns
from ourbeat.concerns.models import Category, Concern, Status
from ourbeat.concerns.selectors import nearby_open
from ourbeat.concerns.services import (
    concern_hide,
    concern_publish,
    concern_set_status,
    concern_submit,
)

pytestmark = pytest.mark.django_db

QUERY = "Someone keeps setting fire to the wheelie bins behind Quillfeather Court at night."
SIMILAR = "Someone keeps setting fire to the wheelie bins behind Quillfeather Court every night"


def plant(
    people: dict[str, Any],
    area: Any,
    code: str,
    text: str,
    *,
    north_m: float = 0.0,
    publish: bool = True,
    public_text: str | None = None,
) -> Concern:
    latitude = area.centre_lat + north_m / 111_320
    concern = concern_submit(
        category=Category.objects.get(code=code),
        latitude=latitude,
        longitude=area.centre_lng,
        description=text,
        user=people["resident"],
    ).concern
    if publish:
        concern_publish(concern=concern, actor=people["site_admin"], text=public_text)
    return concern


def references(concerns: list[Concern]) -> list[str]:
    return [c.reference for c in concerns]


def suggest(area: Any, code: str, text: str, limit: int = 50) -> list[str]:
    return references(
        similar_open_concerns(
            Category.objects.get(code=code), area.centre_lat, area.centre_lng, text, limit=limit
        )
    )


def test_the_same_category_comes_first_by_similarity_and_another_only_when_very_similar(
    town: Any, personas: dict[str, Any]
) -> None:
    alike = plant(personas, town.home, "asb-vandalism", SIMILAR, north_m=20)
    unlike = plant(personas, town.home, "asb-vandalism", "Graffiti tags on the library wall.")
    other_alike = plant(personas, town.home, "street-flytipping", SIMILAR, north_m=-20)
    other_unlike = plant(personas, town.home, "street-flytipping", "A sofa dumped by the bus stop.")
    found = suggest(town.home, "asb-vandalism", QUERY)
    assert found.index(alike.reference) < found.index(unlike.reference)
    assert other_alike.reference in found
    assert other_unlike.reference not in found
    assert found[0] in {alike.reference, other_alike.reference}
    assert len(suggest(town.home, "asb-vandalism", QUERY, limit=2)) == 2


def test_never_a_sensitive_unpublished_hidden_or_closed_concern(
    town: Any, personas: dict[str, Any]
) -> None:
    unpublished = plant(personas, town.home, "asb-vandalism", SIMILAR, publish=False)
    hidden = plant(personas, town.home, "asb-vandalism", SIMILAR, north_m=10)
    concern_hide(concern=hidden, actor=personas["site_admin"], reason="Names a person.")
    closed = plant(personas, town.home, "asb-vandalism", SIMILAR, north_m=-10)
    concern_set_status(
        concern=closed, actor=personas["site_admin"], status=Status.RESOLVED, text="Done."
    )
    # A category made sensitive after its concerns were published: they keep a public cell,
    # and must still never be offered.
    later_sensitive = plant(personas, town.home, "drugs-litter", SIMILAR, north_m=15)
    Category.objects.filter(code="drugs-litter").update(sensitive=True)
    found = suggest(town.home, "asb-vandalism", QUERY)
    for concern in (unpublished, hidden, closed, later_sensitive):
        assert concern.reference not in found
    sensitive = Category.objects.filter(sensitive=True).first()
    assert sensitive is not None
    assert similar_open_concerns(sensitive, town.home.centre_lat, town.home.centre_lng, QUERY) == []


def test_only_the_published_text_is_compared(town: Any, personas: dict[str, Any]) -> None:
    # The moderator published other words than the resident wrote: the private description
    # must not make it look like the resident's new report.
    private = plant(
        personas,
        town.home,
        "street-flytipping",
        QUERY,
        public_text="Rubbish left by the recycling bank at the church.",
    )
    assert private.reference not in suggest(town.home, "asb-vandalism", QUERY)


def test_concerns_far_away_are_not_offered(town: Any, personas: dict[str, Any]) -> None:
    far = plant(personas, town.elsewhere, "asb-vandalism", SIMILAR)
    assert far.reference not in suggest(town.home, "asb-vandalism", QUERY)
    assert far.reference in suggest(town.elsewhere, "asb-vandalism", QUERY)


def test_without_text_it_offers_what_nearby_open_offers(
    town: Any, personas: dict[str, Any]
) -> None:
    plant(personas, town.home, "asb-vandalism", SIMILAR)
    plant(personas, town.home, "street-flytipping", SIMILAR)
    category = Category.objects.get(code="asb-vandalism")
    lat, lng = town.home.centre_lat, town.home.centre_lng
    assert references(similar_open_concerns(category, lat, lng, "")) == references(
        nearby_open(category, lat, lng)
    )
    assert references(similar_open_concerns(category, lat, lng, "   ", limit=0)) == []


def test_the_suggestions_read_no_private_column(town: Any, personas: dict[str, Any]) -> None:
    plant(personas, town.home, "asb-vandalism", SIMILAR)
    category = Category.objects.get(code="asb-vandalism")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        found = similar_open_concerns(category, town.home.centre_lat, town.home.centre_lng, QUERY)
        for concern in found:
            _ = (concern.reference, concern.public_text, concern.status, concern.created_at)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert found
    assert len(queries.captured_queries) <= 3
    assert "reporter" not in sql
    for private in ("description", "latitude", "longitude"):
        assert f'"concerns_concern"."{private}"' not in sql
