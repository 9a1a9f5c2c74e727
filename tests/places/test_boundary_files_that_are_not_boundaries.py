"""Files that hold no boundaries are refused with a message naming the problem, and change
nothing: plain text, an image, JSON that is not GeoJSON, broken JSON, points and lines,
an empty file and a file over the size limit."""

from __future__ import annotations

import base64
import json

from django.test import override_settings

from tests.places.boundaries import Fresh, assert_refused

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_a_plain_text_file_is_refused_as_neither_geojson_nor_kml(fresh: Fresh) -> None:
    assert_refused(fresh, b"Westbank: the streets west of the river\n", "areas.txt", "neither")


def test_the_bytes_of_a_png_image_are_refused_as_neither_geojson_nor_kml(fresh: Fresh) -> None:
    assert_refused(fresh, PNG, "areas.png", "neither GeoJSON nor KML")


def test_a_png_image_named_geojson_is_refused_as_not_json(fresh: Fresh) -> None:
    assert_refused(fresh, PNG, "areas.geojson", "not valid JSON")


def test_json_that_is_not_geojson_is_refused(fresh: Fresh) -> None:
    assert_refused(fresh, b'{"areas": ["Westbank", "Eastbank"]}', "a.json", "not GeoJSON")


def test_a_json_list_named_geojson_is_refused_as_not_geojson(fresh: Fresh) -> None:
    assert_refused(fresh, b"[1, 2, 3]", "areas.geojson", "not GeoJSON")


def test_malformed_json_is_refused_and_the_message_says_where(fresh: Fresh) -> None:
    problems = assert_refused(
        fresh, b'{"type": "FeatureCollection", "features": [}', "a.geojson", "not valid JSON"
    )
    assert "line 1" in problems[0]


def test_a_point_instead_of_a_polygon_is_refused(fresh: Fresh) -> None:
    data = json.dumps(
        {
            "type": "Feature",
            "properties": {"name": "Westbank"},
            "geometry": {"type": "Point", "coordinates": [4.02, 51.03]},
        }
    ).encode()
    assert_refused(fresh, data, "a.geojson", "Westbank", "must be a Polygon or MultiPolygon")


def test_a_linestring_instead_of_a_polygon_is_refused(fresh: Fresh) -> None:
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "High Street"},
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[4.01, 51.01], [4.02, 51.02]],
                    },
                }
            ],
        }
    ).encode()
    assert_refused(fresh, data, "a.geojson", "High Street", "not LineString")


def test_a_bare_point_geometry_is_refused_as_holding_no_boundaries(fresh: Fresh) -> None:
    data = b'{"type": "Point", "coordinates": [4.02, 51.03]}'
    assert_refused(fresh, data, "a.geojson", "Point holds no boundaries")


def test_a_kml_placemark_with_only_a_point_is_refused(fresh: Fresh) -> None:
    data = b"""<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>Library</name>
    <Point><coordinates>4.02,51.03,0</coordinates></Point></Placemark></kml>"""
    assert_refused(fresh, data, "a.kml", "Library", "holds no polygon")


def test_a_feature_without_geometry_or_coordinates_is_refused(fresh: Fresh) -> None:
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": "Nowhere"}, "geometry": None},
                {
                    "type": "Feature",
                    "properties": {"name": "Blank"},
                    "geometry": {"type": "Polygon"},
                },
                {"type": "Feature", "properties": ["not", "an", "object"], "geometry": None},
            ],
        }
    ).encode()
    assert_refused(
        fresh,
        data,
        "a.geojson",
        "Nowhere) has no geometry",
        "Blank): the coordinates are malformed",
        "Feature 3: its properties are not an object",
    )


def test_an_empty_file_is_refused(fresh: Fresh) -> None:
    assert_refused(fresh, b"", "a.geojson", "The file is empty")
    assert_refused(fresh, b"  \n\t", "a.kml", "The file is empty")


def test_a_feature_collection_without_features_is_refused(fresh: Fresh) -> None:
    data = b'{"type": "FeatureCollection", "features": []}'
    assert_refused(fresh, data, "a.geojson", "holds no features")


def test_a_kml_file_without_placemarks_is_refused(fresh: Fresh) -> None:
    data = b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'
    assert_refused(fresh, data, "a.kml", "holds no placemarks with polygons")


def test_broken_xml_is_refused_as_not_valid_kml(fresh: Fresh) -> None:
    assert_refused(fresh, b"<kml><Placemark>", "a.kml", "not valid KML")


@override_settings(OURBEAT_BOUNDARY_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(fresh: Fresh) -> None:
    data = b'{"type": "FeatureCollection", "features": []}' + b" " * 2000
    assert_refused(fresh, data, "a.geojson", f"{len(data)} bytes", "the limit is 1000 bytes")
