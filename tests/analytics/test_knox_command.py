"""``manage.py knox CSV``: the Knox test on a headerless x,y,date file, as JSON in the
calculator's layout or as a readable table; bad files and options stop it with a clear
message naming the problem (and the line), a non-zero exit and nothing on standard output.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from ourbeat.analytics.stats.knox import knox

NEAR_REPEAT = Path(__file__).resolve().parents[3] / "shared" / "data" / "nearrepeat"
BURGLARIES = NEAR_REPEAT / "chicago_be_month1.csv"


def read_events(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    return (
        np.array([float(row[0]) for row in rows]),
        np.array([float(row[1]) for row in rows]),
        np.array([row[2] for row in rows], dtype="datetime64[D]"),
    )


def run(*arguments: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("knox", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_holds_the_functions_tables_in_the_calculators_layout() -> None:
    output, _ = run(
        str(BURGLARIES),
        "--space-bandwidth=100",
        "--space-bands=3",
        "--time-bandwidth=7",
        "--time-bands=3",
        "--permutations=49",
        "--seed=3",
        "--json",
    )
    document = json.loads(output)
    x, y, days = read_events(BURGLARIES)
    expected = knox(
        x,
        y,
        days,
        metric="manhattan",
        space_bandwidth=100,
        space_bands=3,
        time_bandwidth=7,
        time_bands=3,
        permutations=49,
        seed=3,
    )
    assert document == json.loads(json.dumps(expected.to_dict()))
    for table in ("observed", "expected", "ratio", "p"):
        assert len(document[table]) == 5
        assert all(len(row) == 4 for row in document[table])
    assert document["row_labels"][0] == "Same location"
    assert document["row_labels"][-1] == "More than 300"
    assert document["col_labels"] == ["0 to 7", "8 to 14", "15 to 21", "More than 21"]
    assert document["observed"][0][0] == 28  # the calculator's first cell for this file
    assert document["parameters"]["permutations"] == 49
    assert sum(map(sum, document["observed"])) == document["pairs"] == 970 * 969 // 2


def test_the_euclidean_metric_counts_straight_line_distances(tmp_path: Path) -> None:
    # Steps of (60, 80) and (30, 40) metres: 100 and 50 m in a straight line, 140 and 70 m
    # by Manhattan, so bands of 60 m put the pairs in different rows under each metric.
    events = tmp_path / "events.csv"
    events.write_text(
        "1000,2000,2024-03-01\n1060,2080,2024-03-02\n1030,2040,2024-03-09\n1000,2000,2024-03-30\n"
    )
    common = ("--space-bandwidth=60", "--time-bandwidth=7", "--json")
    euclidean = np.array(json.loads(run(str(events), "--metric=euclidean", *common)[0])["observed"])
    manhattan = np.array(json.loads(run(str(events), "--metric=manhattan", *common)[0])["observed"])

    # Pairs (distance by Euclid / by Manhattan, days apart): 1–2 100/140 m, 1 day;
    # 1–3 and 2–3 50/70 m, 8 and 7 days; 1–4 0 m, 29 days; 2–4 100/140 m, 28 days;
    # 3–4 50/70 m, 21 days. Rows: same, [0, 60), [60, 120), [120, 180), beyond;
    # columns: [0, 7), [7, 14), [14, 21), 21 or more.
    by_euclid = np.zeros((5, 4), dtype=int)
    by_euclid[2, 0] = 1
    by_euclid[1, 1] = 2
    by_euclid[0, 3] = by_euclid[2, 3] = by_euclid[1, 3] = 1
    by_manhattan = np.zeros((5, 4), dtype=int)
    by_manhattan[3, 0] = 1
    by_manhattan[2, 1] = 2
    by_manhattan[0, 3] = by_manhattan[3, 3] = by_manhattan[2, 3] = 1
    np.testing.assert_array_equal(euclidean, by_euclid)
    np.testing.assert_array_equal(manhattan, by_manhattan)


def test_without_json_it_prints_the_calculators_tables() -> None:
    output, _ = run(
        str(BURGLARIES), "--space-bandwidth=100", "--time-bandwidth=7", "--permutations=19"
    )
    assert "Observed frequencies" in output
    assert "Observed over mean expected frequencies" in output
    assert "Significance (p)" in output
    lines = output.splitlines()
    same_location = next(line for line in lines if line.startswith("Same location"))
    assert same_location.split()[2:] == ["28", "5", "5", "2"]
    header = lines[lines.index("Observed frequencies") + 1]
    assert [word for word in header.split("  ") if word.strip()] == [
        "0 to 7",
        "8 to 14",
        "15 to 21",
        "More than 21",
    ]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(text)
    return path


GOOD = "1000,2000,2024-03-01\n1060,2080,2024-03-02\n"


@pytest.mark.parametrize(
    ("text", "arguments", "message"),
    [
        (None, [], "is not a readable file"),
        ("", [], "holds 0 events"),
        ("1000,2000,2024-03-01\n", [], "holds 1 event;"),
        (GOOD + "1,2\n", [], "Line 3 has 2 fields"),
        (GOOD + "1,2,2024-01-01,4\n", [], "Line 3 has 4 fields"),
        (GOOD + "east,2,2024-01-01\n", [], "Line 3: x is 'east'"),
        ("1,2,2024-01-01\n1,north,2024-01-02\n", [], "Line 2: y is 'north'"),
        (GOOD + "1,nan,2024-01-01\n", [], "Line 3: y is 'nan'"),
        (GOOD + "inf,1,2024-01-01\n", [], "Line 3: x is 'inf'"),
        (GOOD + "1,2,01/02/2024\n", [], "Line 3: '01/02/2024' is not an ISO date"),
        (GOOD + "1,2,2024-02-30\n", [], "Line 3: '2024-02-30' is not an ISO date"),
        ("x,y,date\n" + GOOD, [], "Line 1: x is 'x'"),
        (GOOD, ["--permutations=0"], "permutations must be between"),
        (GOOD, ["--space-bands=0"], "space_bands must be between"),
        (GOOD, ["--time-bands=1000"], "time_bands must be between"),
        (GOOD, ["--space-bandwidth=-5"], "space_bandwidth must be a positive number"),
        (GOOD, ["--space-bandwidth=nan"], "space_bandwidth must be a positive number"),
        (GOOD, ["--time-bandwidth=0"], "time_bandwidth must be between"),
        (GOOD, ["--metric=chebyshev"], "invalid choice"),
        (GOOD, ["--time-bandwidth=a week"], "invalid int value"),
    ],
)
def test_bad_input_stops_with_a_clear_message_and_prints_nothing(
    tmp_path: Path, text: str | None, arguments: list[str], message: str
) -> None:
    path = tmp_path / "missing.csv" if text is None else write(tmp_path, text)
    options = {"--space-bandwidth": "100", "--time-bandwidth": "7"}
    for argument in arguments:
        name, value = argument.split("=", 1)
        options[name] = value
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=message):
        call_command(
            "knox",
            str(path),
            *(f"{name}={value}" for name, value in options.items()),
            "--json",
            stdout=out,
            stderr=err,
        )
    assert out.getvalue() == ""


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"\xff\xfe\x00\x01garbage\x80\x81")
    with pytest.raises(CommandError, match="is not a UTF-8 text file"):
        run(str(path), "--space-bandwidth=100", "--time-bandwidth=7")


def test_too_wide_bands_for_the_events_are_refused_before_memory_runs_out(
    tmp_path: Path,
) -> None:
    # The function's limit on close pairs, reached here through the command's own default
    # by asking for bands wider than the whole (tiny) study area on many events.
    rng = np.random.default_rng(1)
    count = 7_000
    rows = [
        f"{x:.1f},{y:.1f},2024-01-{day:02d}"
        for x, y, day in zip(
            rng.uniform(0, 10, count),
            rng.uniform(0, 10, count),
            rng.integers(1, 29, count),
            strict=True,
        )
    ]
    path = write(tmp_path, "\n".join(rows) + "\n")
    with pytest.raises(CommandError, match="use narrower space bands"):
        # 7,000 events within 20 m: 24.5 million pairs, all closer than 300 km.
        run(str(path), "--space-bandwidth=100000", "--time-bandwidth=7", "--json")


def test_the_command_line_exits_non_zero_with_the_message_on_stderr(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "1,2,yesterday\n")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "ourbeat.settings"}
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "knox",
            str(path),
            "--space-bandwidth=100",
            "--time-bandwidth=7",
            "--json",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode != 0
    assert completed.stdout == ""
    assert "Line 3: 'yesterday' is not an ISO date" in completed.stderr
