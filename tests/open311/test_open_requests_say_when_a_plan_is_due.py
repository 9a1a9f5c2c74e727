"""GeoReport's expected_datetime: while a request is open, the end of the working day by
which the category's published commitment promises a resolution plan; once it is closed,
nothing (null)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from tests.open311.conftest import schema_errors, xml


def test_an_open_request_is_expected_by_the_end_of_its_resolution_plans_due_day(
    client: Any, file_concern: Any
) -> None:
    from django.utils import timezone

    from ourbeat.concerns.selectors import working_days_after

    concern = file_concern()
    answer = client.get(f"/open311/v2/requests/{concern.reference}.json").json()
    assert schema_errors(answer, "requests.json") == []
    expected = datetime.fromisoformat(answer[0]["expected_datetime"])
    reported = timezone.localdate(concern.created_at)
    assert expected.date() == working_days_after(reported, concern.category.resolution_plan_days)
    assert expected.time() == time(23, 59, 59)
    assert expected.utcoffset() == timezone.localtime(expected).utcoffset()
    listed = client.get(f"/open311/v2/requests.xml?service_request_id={concern.reference}")
    assert xml(listed).findtext("request/expected_datetime") == answer[0]["expected_datetime"]


def test_a_closed_request_has_no_expected_datetime(client: Any, file_concern: Any) -> None:
    from ourbeat.concerns.services import concern_set_status

    concern = file_concern()
    concern_set_status(concern=concern, actor=None, status="closed", text="Dealt with.")
    answer = client.get(f"/open311/v2/requests/{concern.reference}.json").json()
    assert answer[0]["status"] == "closed"
    assert answer[0]["expected_datetime"] is None
    assert schema_errors(answer, "requests.json") == []
