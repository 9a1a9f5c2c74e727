"""A real Open311 client library from PyPI (``georeport``), pointed at a running ourbeat,
lists the services, reads a service definition and reads requests, in JSON and in XML."""

from __future__ import annotations

from typing import Any

import pytest
from georeport import GeoReport

SETUP = """
from ourbeat.api.models import Open311Client
from ourbeat.api.open311_services import open311_request_submit
from ourbeat.concerns.models import Category
from ourbeat.concerns.services import concern_publish
from ourbeat.places.models import Area
area = Area.objects.filter(level="neighbourhood").order_by("code").first()
point = area.geometry.representative_point()
client = Open311Client.objects.get(name="tests")
refs = []
for code in ("asb-noise", "street-light"):
    concern, _ = open311_request_submit(
        client=client, category=Category.objects.get(code=code), latitude=point.y,
        longitude=point.x, description="Filed for the client library test.", answers={},
        reporter_name="Client Test", reporter_email="client-test@example.org",
        reporter_phone="",
    )
    concern_publish(concern=concern, actor=None)
    refs.append(concern.reference)
print(",".join(refs))
"""


@pytest.fixture(scope="module")
def filed(live_site: Any) -> tuple[str, list[str]]:
    added = live_site.manage("open311_client", "add", "tests")
    key = added.stdout.split()[-1]
    return key, live_site.shell(SETUP).splitlines()[-1].split(",")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_library_lists_services_and_reads_requests(
    live_site: Any, filed: tuple[str, list[str]], fmt: str
) -> None:
    key, references = filed
    client = GeoReport(live_site.url + "/open311/v2/", api_key=key, output_format=fmt)
    services = client.get_service_list()
    assert {"asb-noise", "street-light"} <= {s["service_code"] for s in services}
    definition = client.get_service_definition("street-light")
    assert definition["service_code"] == "street-light"
    listed = client.get_service_requests(service_request_id=",".join(references))
    assert sorted(r["service_request_id"] for r in listed) == sorted(references)
    one = client.get_service_request(references[0])
    assert one["service_request_id"] == references[0]
    assert one["status"] == "open"
    recent = client.get_service_requests(service_code="asb-noise", status="open")
    recent = recent if isinstance(recent, list) else [recent]
    assert references[0] in {r["service_request_id"] for r in recent}


def test_the_library_sees_the_servers_refusals(live_site: Any) -> None:
    import requests

    client = GeoReport(live_site.url + "/open311/v2/")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_definition("no-such-service")
    assert raised.value.response.status_code == 404
    assert raised.value.response.json()[0]["code"] == 404
