"""A concern from report to rating, end to end on the live server (issue 3, "Done when" 1).

A signed-out resident on a phone goes from the home page to a report with a photo carrying
EXIF GPS, and confirms it through the link in the e-mail ourbeat sends. An officer of that
neighbourhood signs in at a desk with password and TOTP, finds the concern in the triage
queue, acknowledges it, publishes it, responds publicly and resolves it. The resident is
e-mailed at each public update, replies through their link (the officer reads the reply in
the staff thread) and, once it is resolved, rates the response (the rating is stored). The
public page shows the photo, and the photo served there has no EXIF at all."""

from __future__ import annotations

import io
import json
import re
from email.message import EmailMessage
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import StaffMember, sign_in
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

NEIGHBOURHOOD = "MB03"
GPS_IFD = 0x8825
DESCRIPTION = (
    "The underpass by the old mill has no working lights, and it feels unsafe to walk "
    "through after dark on the way home from the bus stop."
)
RESPONSE = "We have asked the council to repair the lights and will patrol the underpass."
RESIDENT_REPLY = "Thank you. The lights at the far end are out too, by the steps."
RESOLUTION = "The council has repaired all the lights in the underpass."

RATING = """
import json
from ourbeat.concerns.models import Rating
rating = Rating.objects.get(concern__reference={reference!r})
print(json.dumps({{"resolved": rating.resolved, "satisfied": rating.satisfied,
                  "respectful": rating.respectful, "comment": rating.comment}}))
"""


def photo_with_gps() -> bytes:
    """A small JPEG whose EXIF says where it was taken and with what camera."""
    image = Image.new("RGB", (96, 64), (40, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS_IFD), "the test photo should carry GPS"
    return data


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def mail_about(live_site: Any, to: str, subject: str) -> list[EmailMessage]:
    return [m for m in live_site.mail(to=to) if subject in str(m["Subject"])]


def click_map_at(page: Any, lat: float, lng: float) -> None:
    host = page.locator("#report-map")
    expect(host).to_be_visible()
    point = host.evaluate(
        "(host, latlng) => host.ourbeatMap.latLngToContainerPoint(latlng)", [lat, lng]
    )
    host.click(position={"x": point["x"], "y": point["y"]})


@pytest.fixture
def officer(make_officer: Any) -> StaffMember:
    return make_officer(NEIGHBOURHOOD)


def test_a_concern_goes_from_a_signed_out_report_to_a_rated_resolution(
    live_site: Any, phone: Any, desk: Any, officer: StaffMember, areas: dict[str, Any]
) -> None:
    resident_email = f"resident-{unique_tag(8)}@example.org"

    # The resident reports from a phone, signed out, starting at the home page.
    page = phone
    page.goto(f"{live_site.url}/en/")
    page.get_by_role("link", name="Report a concern").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a concern")
    click_map_at(page, *areas[NEIGHBOURHOOD]["centre"])
    expect(page.locator("#id_lat")).not_to_have_value("")
    page.locator("#category-search").fill("unsafe")
    page.get_by_label("What is it about?").select_option("safety-unsafe-place")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    expect(page.locator("#summary-heading + dl")).to_contain_text(areas[NEIGHBOURHOOD]["name"])
    page.get_by_label("Describe the concern").fill(DESCRIPTION)
    page.locator("#id_photos").set_input_files(
        files=[{"name": "underpass.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}]
    )
    page.get_by_label("Your e-mail address").fill(resident_email)
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    match = re.search(r"[A-Z]{1,3}-\d{2}-\d{6,}", page.locator(".notice").inner_text())
    assert match
    reference = match.group(0)

    # The confirmation e-mail carries the resident's link; opening it asks (a mail scanner
    # that fetches the link confirms nothing) and the resident's press confirms the report.
    [confirmation] = mail_about(
        live_site, resident_email, f"Please confirm your report {reference}"
    )
    links = re.findall(r"https?://\S+/concerns/confirm/\S+/", body(confirmation))
    assert len(links) == 1, body(confirmation)
    confirm_url = links[0]
    assert confirm_url.startswith(f"{live_site.url}/en/")
    page.goto(confirm_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your report")
    expect(page.locator("main")).to_contain_text(reference)
    page.get_by_role("button", name="Confirm my report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report is confirmed")
    expect(page.locator(".notice")).to_contain_text(reference)
    # Not public until staff have moderated it.
    response = page.request.get(f"{live_site.url}/en/concerns/{reference}/")
    assert response.status == 404

    # An officer of the neighbourhood signs in at a desk with a password and a TOTP code.
    staff = desk
    sign_in(staff, live_site.url, officer.email, officer.password)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    staff.locator('input[name="code"]').fill(officer.totp_code())
    staff.get_by_role("button", name="Sign In").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Staff tools")

    # Triage: the queue, the concern, acknowledge, publish.
    staff.get_by_role("link", name="Concerns to handle").click()
    expect(staff).to_have_url(f"{live_site.url}/en/staff/concerns/")
    staff.get_by_label("Find by reference").fill(reference)
    staff.get_by_role("button", name="Find").click()
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(staff.locator(".original-description")).to_contain_text("the old mill")
    expect(staff.get_by_role("img", name="Photo 1 sent with the report")).to_be_visible()

    staff.get_by_role("button", name="Acknowledge").click()
    expect(staff.get_by_role("status")).to_contain_text("The status is now: Acknowledged.")

    staff.get_by_role("link", name="Publish", exact=True).click()
    expect(staff.get_by_label("Text to publish")).to_have_value(DESCRIPTION)
    staff.get_by_role("button", name="Publish").click()
    expect(staff.get_by_role("status")).to_contain_text("The concern is published.")

    # A public response, e-mailed to the resident.
    staff.get_by_label("Public response").fill(RESPONSE)
    staff.get_by_role("button", name="Publish the response").click()
    expect(staff.get_by_role("status")).to_contain_text("Your response is published and sent.")
    updates = mail_about(live_site, resident_email, f"Update on your concern {reference}")
    assert any(RESPONSE in body(m) for m in updates), [body(m) for m in updates]

    # The resident replies through the link in their confirmation e-mail.
    page.goto(confirm_url)
    page.get_by_role("link", name="Write to the team about this concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reply about {reference}")
    expect(page.locator("main")).to_contain_text(RESPONSE)
    page.get_by_label("Your reply to the team").fill(RESIDENT_REPLY)
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reply has been sent")

    # The officer reads the reply in the staff thread, then resolves the concern.
    staff.reload()
    reply = staff.locator(".thread .update-reply").filter(has_text=RESIDENT_REPLY)
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("the resident")
    expect(reply).to_contain_text("staff only")
    staff.get_by_label("New status").select_option("resolved")
    staff.get_by_label("Message to the resident (public)").fill(RESOLUTION)
    staff.get_by_role("button", name="Change the status").click()
    expect(staff.get_by_role("status")).to_contain_text("The status is now: Resolved.")
    updates = mail_about(live_site, resident_email, f"Update on your concern {reference}")
    resolved = [m for m in updates if RESOLUTION in body(m)]
    assert len(resolved) == 1, [body(m) for m in updates]
    assert "Resolved" in body(resolved[0])

    # Once resolved, the same link lets the resident rate the response.
    page.goto(confirm_url)
    page.get_by_role("link", name="Rate how your concern was handled").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"How did we do with {reference}?")
    page.get_by_role("group", name="Was the problem resolved?").get_by_label("Yes").check()
    page.get_by_role("group", name="How satisfied are you with the response?").get_by_label(
        "4 – satisfied"
    ).check()
    page.get_by_role("group", name="Were you treated with respect?").get_by_label("Yes").check()
    page.get_by_label("Anything else? (optional)").fill("Quick and kind.")
    page.get_by_role("button", name="Send my rating").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your rating")
    expect(page.get_by_role("status")).to_contain_text("has been recorded")
    stored = json.loads(live_site.shell(RATING.format(reference=reference)).splitlines()[-1])
    assert stored == {
        "resolved": True,
        "satisfied": 4,
        "respectful": True,
        "comment": "Quick and kind.",
    }

    # The public page: resolved, the response and the photo; never the reply or the e-mail.
    page.goto(f"{live_site.url}/en/concerns/{reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A place that feels unsafe")
    main = page.locator("main")
    expect(main).to_contain_text("the old mill")
    expect(main).to_contain_text(RESPONSE)
    expect(main).to_contain_text(RESOLUTION)
    expect(main).to_contain_text("Resolved")
    expect(main).not_to_contain_text(RESIDENT_REPLY)
    expect(main).not_to_contain_text(resident_email)
    image = page.locator("#photos img")
    expect(image).to_have_count(1)
    expect(image).to_be_visible()

    # The photo as served publicly: re-encoded, with no EXIF (so no GPS) left.
    src = image.get_attribute("src")
    assert src
    served = page.request.get(src if src.startswith("http") else live_site.url + src)
    assert served.ok
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.body())) as photo:
        assert photo.format == "JPEG"
        exif = photo.getexif()
        assert len(exif) == 0, dict(exif)
        assert not exif.get_ifd(GPS_IFD)
        assert "exif" not in photo.info
