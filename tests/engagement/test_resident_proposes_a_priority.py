"""A resident proposes a priority for their neighbourhood: signed in with a verified e-mail
address; signed-out visitors are sent to sign in, unverified accounts are told to confirm
their address; bad input is refused with a clear message and nothing is written; proposals
are rate-limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ourbeat.engagement.models import OriginKind, Priority, PriorityStatus
from ourbeat.engagement.services.priorities import priority_publish
from tests.engagement.test_public_helpers import clear_engagement, verified_resident


def propose_url(area: Any) -> str:
    return reverse("engagement:priority_propose", kwargs={"slug": area.slug})


@pytest.fixture
def resident(town: Any) -> Any:
    clear_engagement(town.home)
    return verified_resident("proposer@example.org")


def test_a_verified_resident_proposes_and_lands_on_the_proposal_waiting_for_moderation(
    client_for: Any, town: Any, resident: Any
) -> None:
    client = client_for(resident)
    form = client.get(propose_url(town.home))
    assert form.status_code == 200
    assert "Send the proposal" in form.content.decode()
    response = client.post(
        propose_url(town.home),
        {"title": "Speeding on Mill Lane", "description": "Cars race past the school."},
    )
    proposal = Priority.objects.get(area=town.home, title="Speeding on Mill Lane")
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert proposal.status == PriorityStatus.PROPOSED
    assert proposal.proposed_by == resident
    assert proposal.origins.filter(kind=OriginKind.PROPOSAL).count() == 1
    assert proposal.published_at is None
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: your proposal is sent. A moderator reads it" in page
    assert "Only you can see this proposal for now" in page
    assert "Speeding on Mill Lane" in page
    assert "proposer@example.org" not in page.split("</header>", 1)[1]


def test_a_signed_out_visitor_is_offered_to_sign_in_and_nothing_is_written(
    client_for: Any, town: Any
) -> None:
    client = client_for(None)
    page = client.get(propose_url(town.home))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign in to propose a priority" in html
    assert "/en/accounts/login/?next=" in html
    before = Priority.objects.count()
    client.post(propose_url(town.home), {"title": "Anonymous proposal"})
    assert Priority.objects.count() == before


def test_an_account_without_a_confirmed_address_is_asked_to_confirm_it(
    client_for: Any, town: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["resident"])  # no verified EmailAddress
    response = client.get(propose_url(town.home))
    assert response.status_code == 403
    assert "Please confirm your e-mail address" in response.content.decode()
    before = Priority.objects.count()
    assert client.post(propose_url(town.home), {"title": "Unverified"}).status_code == 403
    assert Priority.objects.count() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "ab"}, "Ensure this value has at least 5 characters"),
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"title": "Fine title", "description": "y" * 4001}, "at most 4000 characters"),
        ({"title": "Bell\x07 ringing"}, "control characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    client_for: Any, town: Any, resident: Any, data: dict[str, str], message: str
) -> None:
    before = Priority.objects.count()
    response = client_for(resident).post(propose_url(town.home), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Priority.objects.count() == before


def test_hostile_text_is_stored_as_text_and_shown_escaped(
    client_for: Any, town: Any, resident: Any
) -> None:
    client = client_for(resident)
    title = "<img src=x onerror=alert(1)> '; DROP TABLE engagement_priority; --"
    response = client.post(propose_url(town.home), {"title": title})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert Priority.objects.filter(title=title).exists()


def test_the_same_proposal_twice_is_refused_with_a_pointer_to_support_it(
    client_for: Any, town: Any, resident: Any
) -> None:
    client = client_for(resident)
    client.post(propose_url(town.home), {"title": "Litter in the park"})
    response = client.post(propose_url(town.home), {"title": "litter in the park"})
    assert response.status_code == 400
    assert "already waiting for a moderator" in response.content.decode()
    first = Priority.objects.get(title__iexact="litter in the park")
    priority_publish(actor=None, priority=first, expected_version=first.version)
    response = client.post(propose_url(town.home), {"title": "LITTER in the park"})
    assert response.status_code == 400
    assert "support it instead" in response.content.decode()
    assert Priority.objects.filter(title__iexact="litter in the park").count() == 1


def test_a_district_or_unknown_place_cannot_be_given_priorities(
    client_for: Any, town: Any, resident: Any
) -> None:
    client = client_for(resident)
    district = town.districts[0]
    assert client.get(propose_url(district)).status_code == 404
    assert client.post("/en/n/nowhere/priorities/propose/", {"title": "x" * 10}).status_code == 404


def test_the_eleventh_proposal_within_an_hour_is_refused(
    client_for: Any, town: Any, resident: Any
) -> None:
    client = client_for(resident)
    for number in range(10):
        response = client.post(propose_url(town.home), {"title": f"Proposal number {number}"})
        assert response.status_code == 302
    before = Priority.objects.count()
    response = client.post(propose_url(town.home), {"title": "One proposal too many"})
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert Priority.objects.count() == before
