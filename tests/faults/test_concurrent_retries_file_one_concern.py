"""Eight clients retry the same Open311 submission with the same Idempotency-Key at the same
moment against the real server: exactly one concern exists for that key, and every
successful answer names it."""

from __future__ import annotations

import secrets
import threading
from typing import Any

from tests.faults.conftest import request_fields, town_point
from tests.faults.server import post_form

THREADS = 8


def test_eight_simultaneous_retries_file_one_concern(live_site: Any) -> None:
    api_key = live_site.manage("open311_client", "add", "retries").stdout.split()[-1]
    lat, lng = town_point(live_site.shell)
    retry_key = secrets.token_urlsafe(16)
    fields = request_fields(api_key, lat, lng, "Engines revving in the car park every night.")
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def retry() -> None:
        try:
            barrier.wait(timeout=10)
            answer = post_form(
                f"{live_site.url}/open311/v2/requests.json",
                fields,
                headers={"Idempotency-Key": retry_key},
                timeout=30,
            )
            with lock:
                answers.append(answer)
        except BaseException as error:  # reported below, in the test's thread
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=retry) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    statuses = sorted(status for status, _body in answers)
    assert len(answers) == THREADS
    assert all(status in (200, 201) for status in statuses), answers
    assert statuses.count(201) <= 1, statuses
    ids = {body[0]["service_request_id"] for _status, body in answers}
    assert len(ids) == 1, ids
    stored = live_site.shell(
        "from ourbeat.concerns.models import Concern\n"
        f"qs = Concern.objects.filter(idempotency_key__endswith=':{retry_key}')\n"
        "print(qs.count(), ' '.join(qs.values_list('reference', flat=True)), "
        "sum(1 for c in qs if c.reporter))"
    ).split()
    assert stored == ["1", ids.pop(), "1"]
