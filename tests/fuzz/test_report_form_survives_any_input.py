"""Any input to the two steps of the report form, read (GET) or posted, is answered without
a server error, and a post either files one whole concern (with its reporter) or writes
nothing at all."""

from __future__ import annotations

import io
import secrets
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tests.concerns.test_report_helpers import REPORT_URL, report_data
from tests.fuzz.conftest import (
    FUZZ,
    any_text,
    assert_not_a_server_error,
    number_text,
    write_counts,
)

FIELDS = [
    "lat",
    "lng",
    "location_text",
    "category",
    "description",
    "show_name",
    "name",
    "email",
    "phone",
    "not_emergency",
    "url",
    "idempotency_key",
    "answer_time_of_day",
    "answer_how_often",
    "change",
]
NUMERIC = {"lat", "lng"}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def field_value(name: str) -> st.SearchStrategy[Any]:
    text = number_text if name in NUMERIC else any_text
    # Sometimes a list: the same field sent twice.
    return st.one_of(text, st.lists(text, min_size=2, max_size=3))


overrides = st.dictionaries(
    st.sampled_from(FIELDS), st.deferred(lambda: st.just(None)), max_size=6
).flatmap(lambda chosen: st.fixed_dictionaries({name: field_value(name) for name in chosen}))
uploads = st.lists(
    st.one_of(
        st.binary(max_size=200).map(lambda b: ("junk.jpg", b, "image/jpeg")),
        st.just(("tiny.png", _png(), "image/png")),
        st.just(("../../etc/passwd", b"GIF89a", "image/gif")),
    ),
    max_size=4,
)


@FUZZ
@given(data=overrides, drop=st.sets(st.sampled_from(FIELDS), max_size=4))
def test_step_one_and_two_read_any_query(town: Any, client: Any, data: Any, drop: Any) -> None:
    query = {k: v for k, v in {**report_data(town.home), **data}.items() if k not in drop}
    for path in (REPORT_URL, "/ru/report/"):
        response = client.get(path, query)
        assert_not_a_server_error(response, f"GET {path} {query!r:.300}")


@FUZZ
@given(data=overrides, drop=st.sets(st.sampled_from(FIELDS), max_size=3), files=uploads)
def test_a_post_files_a_whole_concern_or_nothing(
    town: Any, client: Any, data: Any, drop: Any, files: Any
) -> None:
    body: dict[str, Any] = {
        k: v
        for k, v in {**report_data(town.home), **data}.items()
        if k not in drop and k != "change"
    }
    body.setdefault("idempotency_key", secrets.token_urlsafe(12))
    if files:
        body["photos"] = [SimpleUploadedFile(n, b, content_type=t) for n, b, t in files]
    before = write_counts()
    response = client.post(REPORT_URL, body)
    assert_not_a_server_error(response, f"POST {REPORT_URL} {data!r:.300}")
    after = write_counts()
    added = {name: after[name] - before[name] for name in after}
    if response.status_code != 302:
        assert not any(added.values()), f"a refused report wrote {added}"
    assert added["concerns"] in (0, 1)
    assert added["reporters"] == added["concerns"], f"half-written: {added}"
    assert added["photos"] <= 3 * added["concerns"]
    assert added["updates"] == 0
