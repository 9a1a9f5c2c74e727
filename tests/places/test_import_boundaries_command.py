"""``manage.py import_boundaries``: a good file is imported and each area reported; a bad
one prints every problem on stderr, exits non-zero and writes nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from ourbeat.places.models import Area
from tests.places.boundaries import (
    EAST,
    MID,
    NORTH,
    SOUTH,
    WEST,
    Fresh,
    box,
    geojson,
    kml,
    snapshot,
)

GOOD = geojson(
    ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
    ("Eastbank", "TS2", box(MID, SOUTH, EAST, NORTH)),
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_boundaries", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> tuple[CommandError, str]:
    err = io.StringIO()
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        call_command("import_boundaries", *args, stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "nothing was changed" in str(caught.value)
    assert snapshot() == before
    return caught.value, err.getvalue()


def test_the_command_imports_a_geojson_file_and_reports_what_it_created(
    fresh: Fresh, tmp_path: Path
) -> None:
    path = tmp_path / "testshire.geojson"
    path.write_bytes(GOOD)
    out, err = run(
        str(path), "--organisation", "testshire", "--level", "neighbourhood",
        "--parent", fresh.district.slug,
    )  # fmt: skip
    assert err == ""
    assert "created TS1 Westbank" in out
    assert "created TS2 Eastbank" in out
    assert "2 new areas, 0 updated" in out
    assert Area.objects.get(organisation=fresh.organisation, code="TS2").parent == fresh.district


def test_running_the_command_twice_updates_and_creates_nothing(
    fresh: Fresh, tmp_path: Path
) -> None:
    path = tmp_path / "testshire.kml"
    path.write_bytes(kml(("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH))))
    args = (str(path), "--organisation", "testshire", "--level", "neighbourhood",
            "--parent", fresh.district.slug)  # fmt: skip
    run(*args)
    before = snapshot()["areas"]
    out, _ = run(*args)
    assert "updated TS1 Westbank" in out
    assert "0 new areas, 1 updated" in out
    assert snapshot()["areas"] == before


def test_a_bad_file_prints_every_problem_on_stderr_and_writes_nothing(
    fresh: Fresh, tmp_path: Path
) -> None:
    bow_tie = [(MID, SOUTH), (EAST, NORTH), (EAST, SOUTH), (MID, NORTH), (MID, SOUTH)]
    path = tmp_path / "bad.geojson"
    path.write_bytes(
        geojson(
            ("Westbank", "TS1", box(WEST, SOUTH, MID, NORTH)),
            ("Eastbank", "TS2", bow_tie),
            ("", "TS3", box(WEST, 91, EAST, 92)),
        )
    )
    error, err = refused(
        str(path), "--organisation", "testshire", "--level", "neighbourhood",
        "--parent", fresh.district.slug,
    )  # fmt: skip
    assert "3 problems" in str(error)
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert "Feature 2 (Eastbank): the polygon is invalid (Self-intersection" in lines[0]
    assert "Feature 3 (?) has no name" in lines[1]
    assert "Feature 3 (?): latitude out of range" in lines[2]


def test_an_unknown_organisation_parent_and_file_are_each_named(tmp_path: Path, town: Any) -> None:
    _, err = refused(
        str(tmp_path / "missing.geojson"), "--organisation", "nobody", "--level", "district",
        "--parent", "nowhere",
    )  # fmt: skip
    assert "No organisation has the identifier nobody" in err
    assert "No area has the address name nowhere" in err
    assert "missing.geojson is not a readable file" in err


def test_a_neighbourhood_without_a_parent_is_refused(fresh: Fresh, tmp_path: Path) -> None:
    path = tmp_path / "a.geojson"
    path.write_bytes(GOOD)
    _, err = refused(str(path), "--organisation", "testshire", "--level", "neighbourhood")
    assert "A Neighbourhood must be part of a District" in err


def test_a_file_over_the_size_limit_is_refused_without_reading_it(
    fresh: Fresh, tmp_path: Path, settings: Any
) -> None:
    settings.OURBEAT_BOUNDARY_MAX_BYTES = 100
    path = tmp_path / "big.geojson"
    path.write_bytes(GOOD)
    _, err = refused(
        str(path), "--organisation", "testshire", "--level", "neighbourhood",
        "--parent", fresh.district.slug,
    )  # fmt: skip
    assert f"The file is {len(GOOD)} bytes; the limit is 100 bytes." in err


def test_from_the_command_line_a_refused_file_exits_with_status_one(
    fresh: Fresh,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # run_from_argv closes the database connections when it ends; keep the test's open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    path = tmp_path / "notes.txt"
    path.write_text("Westbank is the part west of the river.")
    before = snapshot()
    with pytest.raises(SystemExit) as caught:
        execute_from_command_line(
            ["manage.py", "import_boundaries", str(path), "--organisation", "testshire",
             "--level", "neighbourhood", "--parent", fresh.district.slug]
        )  # fmt: skip
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert "- The file is neither GeoJSON nor KML." in err
    assert "CommandError: The file was not imported (1 problem); nothing was changed." in err
    assert snapshot() == before
