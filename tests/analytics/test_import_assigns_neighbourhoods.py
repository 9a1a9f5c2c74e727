"""Each located incident is put in the organisation's neighbourhood that contains it (the
one created first on a shared edge), and in none when it lies outside them all; the answer
is checked against shapely's own point-in-polygon test."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box, mapping

from ourbeat.analytics.models import Incident, IncidentSource
from ourbeat.places.models import Area, AreaLevel, Organisation


def neighbourhood(force: Organisation, name: str, shape: Any) -> Area:
    centre = shape.centroid
    min_lng, min_lat, max_lng, max_lat = shape.bounds
    area = Area.objects.create(
        organisation=force,
        level=AreaLevel.NEIGHBOURHOOD,
        name=name,
        slug=name.lower().replace(" ", "-"),
        code=name,
        boundary=dict(mapping(shape)),
        centre_lat=centre.y,
        centre_lng=centre.x,
        min_lat=min_lat,
        min_lng=min_lng,
        max_lat=max_lat,
        max_lng=max_lng,
    )
    area.path = f"{area.pk}/"
    area.save(update_fields=["path"])
    return area


def test_incidents_are_placed_in_the_neighbourhood_that_contains_them(
    policeuk: Path, import_file: Any, db: Any
) -> None:
    essex = Organisation.objects.create(kind="police_service", name="Essex Police", slug="essex")
    # Four neighbourhoods over part of Essex, sharing edges; the rest of the county is in none.
    shapes = [
        box(0.40, 51.50, 0.50, 51.60),
        box(0.50, 51.50, 0.60, 51.60),
        box(0.40, 51.60, 0.50, 51.70),
        box(0.50, 51.60, 0.60, 51.70),
    ]
    areas = [neighbourhood(essex, f"Box {i}", s) for i, s in enumerate(shapes)]
    path = policeuk / "street" / "2018-03-essex-street.csv"
    with open(path, newline="", encoding="utf-8") as text:
        points = {
            (float(r["Latitude"]), float(r["Longitude"]))
            for r in csv.DictReader(text)
            if r["Latitude"]
        }

    done = import_file(path, essex, IncidentSource.POLICEUK_STREET)

    expected: dict[tuple[float, float], int | None] = {}
    for lat, lng in points:
        hits = [
            a.pk for a, s in zip(areas, shapes, strict=True) if shapely.intersects_xy(s, lng, lat)
        ]
        expected[(lat, lng)] = min(hits) if hits else None
    stored = set(
        Incident.objects.filter(imported_by=done, latitude__isnull=False).values_list(
            "latitude", "longitude", "area_id"
        )
    )
    assert {(lat, lng): area for lat, lng, area in stored} == expected
    assert sum(v is not None for v in expected.values()) > 100
    assert sum(v is None for v in expected.values()) > 100
    assert not Incident.objects.filter(imported_by=done, latitude=None).exclude(area=None).exists()


def test_another_organisations_neighbourhoods_are_not_used(
    tmp_path: Path, import_file: Any, town: Any
) -> None:
    home = town.home
    centre = (home.centre_lat, home.centre_lng)
    path = tmp_path / "month.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Crime ID", "Month", "Reported by", "Falls within", "Longitude",
                         "Latitude", "Location", "LSOA code", "LSOA name", "Crime type",
                         "Last outcome category", "Context"])  # fmt: skip
        writer.writerow(["", "2024-05", "x", "x", str(centre[1]), str(centre[0]), "Here", "",
                         "", "Anti-social behaviour", "", ""])  # fmt: skip

    ours = import_file(path, town.force, IncidentSource.POLICEUK_STREET)
    theirs = import_file(path, town.council, IncidentSource.POLICEUK_STREET)

    assert Incident.objects.get(imported_by=ours).area_id == home.pk
    assert Incident.objects.get(imported_by=theirs).area_id is None
