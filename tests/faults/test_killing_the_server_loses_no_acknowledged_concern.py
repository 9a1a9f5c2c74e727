"""SIGKILL the server (master and workers) in the middle of a burst of Open311 submissions,
start it again on the same database: every acknowledged concern is there with its reporter,
nothing is half-written, and the audit chain still verifies."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import request_fields, town_point
from tests.faults.server import OwnServer, post_form

CLIENTS = 4
BURST_SECONDS = 1.5

CHECK_CODE = """
from ourbeat.concerns.models import Concern, Photo, Reporter, Update
ids = set(Concern.objects.values_list("id", flat=True))
print("concerns", len(ids))
print("without_reporter", Concern.objects.filter(reporter__isnull=True).count())
print("orphan_reporters", Reporter.objects.exclude(concern_id__in=ids).count())
print("orphan_photos", Photo.objects.exclude(concern_id__in=ids).count())
print("orphan_updates", Update.objects.exclude(concern_id__in=ids).count())
print("pending_references", Concern.objects.filter(reference__startswith="pending-").count())
"""


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[OwnServer]:
    server = OwnServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def test_a_killed_server_loses_no_acknowledged_concern(own_server: OwnServer) -> None:
    api_key = own_server.prepare()
    lat, lng = town_point(own_server.shell)
    own_server.start()
    acknowledged: dict[str, str] = {}  # idempotency key -> service_request_id
    lock = threading.Lock()
    stop = threading.Event()
    refused: list[Any] = []

    def submit(client: int) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            key = f"burst-{client}-{number}-{secrets.token_hex(4)}"
            fields = request_fields(api_key, lat, lng, f"Burst {client}/{number}: noise.")
            try:
                status, body = post_form(
                    f"{own_server.url}/open311/v2/requests.json",
                    fields,
                    headers={"Idempotency-Key": key},
                    timeout=5,
                )
            except OSError:
                time.sleep(0.05)  # the server is down: keep trying until told to stop
                continue
            with lock:
                if status in (200, 201):
                    acknowledged[key] = body[0]["service_request_id"]
                elif status != 429:
                    refused.append((status, body))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(BURST_SECONDS)
    own_server.kill()
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not refused, refused[:3]
    assert len(acknowledged) >= 10, "the burst should acknowledge something before the kill"

    own_server.start()
    references = sorted(acknowledged.values())
    found = own_server.shell(
        "from ourbeat.concerns.models import Concern\n"
        f"wanted = {references!r}\n"
        "print(Concern.objects.filter(reference__in=wanted).count())"
    )
    assert found == str(len(references)), "an acknowledged concern was lost"
    lines = dict(line.split() for line in own_server.shell(CHECK_CODE).splitlines())
    assert int(lines.pop("concerns")) >= len(references)
    assert lines == {
        "without_reporter": "0",
        "orphan_reporters": "0",
        "orphan_photos": "0",
        "orphan_updates": "0",
        "pending_references": "0",
    }
    verified = own_server.manage("audit_verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The restarted server answers a retry of an acknowledged submission with the same id.
    key, reference = next(iter(acknowledged.items()))
    status, body = post_form(
        f"{own_server.url}/open311/v2/requests.json",
        request_fields(api_key, lat, lng, "retry"),
        headers={"Idempotency-Key": key},
    )
    assert (status, body[0]["service_request_id"]) == (200, reference)
