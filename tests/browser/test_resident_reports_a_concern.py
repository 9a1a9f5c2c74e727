"""A signed-out resident on a phone reports a concern with a photo: from the home page to
the report page, a pin on the map, a category, a description and a photo; then the
e-mailed link asks and the resident's press confirms it, staff publish it, and the public
page shows it and the photo (without EXIF). The same report works with JavaScript off
(coordinates typed)."""

from __future__ import annotations

import io
import re
import urllib.request
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.concerns.test_report_helpers import jpeg_bytes
from tests.fixtures.browser import axe_violations

pytestmark = pytest.mark.browser

CONFIRM_AND_PUBLISH = """
from ourbeat.concerns import services
from ourbeat.concerns.models import Concern, Reporter
concern = Concern.objects.get(reference={reference!r})
# Tokens are stored hashed: give the reporter a known one, as if read from the e-mail.
Reporter.objects.filter(concern=concern).update(token_hash=services.token_hash({token!r}))
{publish}
"""
PUBLISH = """concern.refresh_from_db()
services.concern_publish(concern=concern, actor=None)"""


def click_map_at(page: Any, lat: float, lng: float) -> None:
    host = page.locator("#report-map")
    expect(host).to_be_visible()
    point = host.evaluate(
        "(host, latlng) => host.ourbeatMap.latLngToContainerPoint(latlng)", [lat, lng]
    )
    host.click(position={"x": point["x"], "y": point["y"]})


def reference_on(page: Any) -> str:
    text = page.locator(".notice").inner_text()
    match = re.search(r"[A-Z]{1,3}-\d{2}-\d{6,}", text)
    assert match, text
    return match.group(0)


def test_a_signed_out_resident_reports_a_concern_with_a_photo_from_a_phone(
    live_site: Any, phone: Any, areas: dict[str, Any]
) -> None:
    page = phone
    page.goto(f"{live_site.url}/en/")
    page.get_by_role("link", name="Report a concern").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a concern")
    expect(page.locator("#emergency-notice")).to_contain_text("999")
    assert axe_violations(page) == []

    click_map_at(page, *areas["MB02"]["centre"])
    expect(page.locator("#id_lat")).not_to_have_value("")
    page.locator("#category-search").fill("graffiti")
    page.get_by_label("What is it about?").select_option("asb-vandalism")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Describe the concern").fill(
        "Fresh graffiti on the bus shelter and the phone box, every weekend."
    )
    page.locator("#id_photos").set_input_files(
        files=[{"name": "shelter.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=True)}]
    )
    page.get_by_label("Your e-mail address").fill("phone-resident@example.org")
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    reference = reference_on(page)

    live_site.shell(
        CONFIRM_AND_PUBLISH.format(reference=reference, token="from-the-email", publish="")
    )
    page.goto(f"{live_site.url}/en/concerns/confirm/from-the-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your report")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm my report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report is confirmed")
    expect(page.locator(".notice")).to_contain_text(reference)

    live_site.shell(
        CONFIRM_AND_PUBLISH.format(reference=reference, token="from-the-email", publish=PUBLISH)
    )
    page.goto(f"{live_site.url}/en/concerns/{reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vandalism and graffiti")
    expect(page.get_by_text("Fresh graffiti on the bus shelter")).to_be_visible()
    expect(page.get_by_text("phone-resident@example.org")).to_have_count(0)
    image = page.locator("#photos img")
    expect(image).to_have_count(1)
    assert axe_violations(page) == []

    with urllib.request.urlopen(live_site.url + image.get_attribute("src"), timeout=10) as reply:
        served = reply.read()
    with Image.open(io.BytesIO(served)) as photo:
        assert photo.format == "JPEG"
        assert not photo.getexif()


def test_the_report_works_with_javascript_off(
    live_site: Any, phone_without_js: Any, areas: dict[str, Any]
) -> None:
    page = phone_without_js
    page.goto(f"{live_site.url}/en/report/")
    expect(page.locator("#report-map")).to_be_hidden()
    expect(page.locator("#use-my-location")).to_be_hidden()
    lat, lng = areas["MB03"]["centre"]
    page.get_by_label("Latitude").fill(str(lat))
    page.get_by_label("Longitude").fill(str(lng))
    page.get_by_label("What is it about?").select_option("roads-speeding")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Describe the concern").fill("Cars race down the hill past the school.")
    page.get_by_label("Evening").check()
    page.get_by_label("Your e-mail address").fill("no-js@example.org")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    reference_on(page)
