"""Hostile XML in a KML upload (an entity expansion bomb, an external entity) is refused by
defusedxml before anything expands or is fetched, with a clear message; nothing changes."""

from __future__ import annotations

from pathlib import Path

from tests.places.boundaries import MID, NORTH, SOUTH, WEST, Fresh, assert_refused, box, kml

BILLION_LAUGHS = """
<!DOCTYPE kml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def test_a_billion_laughs_entity_bomb_in_kml_is_refused(fresh: Fresh) -> None:
    data = kml(("&lol9;", "TS1", box(WEST, SOUTH, MID, NORTH)), doctype=BILLION_LAUGHS)
    assert_refused(fresh, data, "bomb.kml", "declares entities", "refused for safety")


def test_an_external_entity_in_kml_is_refused_and_never_read(fresh: Fresh, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the contents of a private file")
    doctype = f'<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    data = kml(("&xxe;", "TS1", box(WEST, SOUTH, MID, NORTH)), doctype=doctype)
    problems = assert_refused(fresh, data, "xxe.kml", "refused for safety")
    assert "private file" not in " ".join(problems)
