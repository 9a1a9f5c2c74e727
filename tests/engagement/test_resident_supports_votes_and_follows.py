# ruff: noqa: F811  (the shared fixtures are imported by name)
"""Residents support proposals (a verified account once, as a vote; anyone else counted
apart, once per browser and within a rate limit), vote online that a priority under review
is resolved, and follow a priority: every button is a plain POST form that works without
JavaScript; refusals come back as a clear message and change nothing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ourbeat.engagement.models import Follower, Priority, Question, Vote
from tests.engagement.test_public_helpers import History, history, verified_resident  # noqa: F401


def url(name: str, priority: Any) -> str:
    return reverse(f"engagement:{name}", kwargs={"pk": priority.pk})


def test_a_signed_out_visitor_supports_a_proposal_once_and_it_is_counted_apart(
    client_for: Any, history: History
) -> None:
    proposal = history.proposals[0]
    before = proposal.anonymous_support
    client = client_for(None)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Support this proposal" in page
    response = client.post(url("priority_support", proposal), follow=True)
    html = response.content.decode()
    assert "Thank you: your support has been counted." in html
    assert f"{before + 1} people supported it without an account" in html
    assert "You have already supported this proposal." not in html.split("Thank you", 1)[0]
    assert "Support this proposal</button>" not in html
    again = client.post(url("priority_support", proposal), follow=True).content.decode()
    assert "You have already supported this proposal." in again
    proposal.refresh_from_db()
    assert proposal.anonymous_support == before + 1
    assert not Vote.objects.filter(priority=proposal).exists()


def test_a_verified_resident_supports_once_as_a_vote(client_for: Any, history: History) -> None:
    proposal = history.proposals[0]
    resident = verified_resident("supporter@example.org")
    client = client_for(resident)
    client.post(url("priority_support", proposal))
    html = client.post(url("priority_support", proposal), follow=True).content.decode()
    assert "You have already" in html
    assert "1 verified resident supports this proposal." in html
    assert (
        Vote.objects.filter(priority=proposal, user=resident, question=Question.ADOPT).count() == 1
    )
    proposal.refresh_from_db()
    assert proposal.anonymous_support == history.proposals[0].anonymous_support


def test_an_unverified_account_is_told_to_confirm_its_address(
    client_for: Any, history: History, personas: dict[str, Any]
) -> None:
    proposal = history.proposals[0]
    html = (
        client_for(personas["resident"])
        .post(url("priority_support", proposal), follow=True)
        .content.decode()
    )
    assert "Confirm your e-mail address" in html
    assert not Vote.objects.filter(priority=proposal).exists()


def test_a_priority_that_is_no_longer_proposed_cannot_be_supported(
    client_for: Any, history: History
) -> None:
    live = history.live[0]
    before = Priority.objects.get(pk=live.pk).anonymous_support
    html = client_for(None).post(url("priority_support", live), follow=True).content.decode()
    assert "Only proposals can be supported" in html
    assert Priority.objects.get(pk=live.pk).anonymous_support == before


def test_support_without_an_account_is_rate_limited_per_client(
    client_for: Any, history: History
) -> None:
    proposal = history.proposals[0]
    for _ in range(30):
        # A new browser each time (no session), as a script would.
        client_for(None).post(url("priority_support", proposal))
    proposal.refresh_from_db()
    counted = proposal.anonymous_support
    response = client_for(None).post(url("priority_support", proposal))
    assert response.status_code == 429
    proposal.refresh_from_db()
    assert proposal.anonymous_support == counted
    other = client_for(None).post(url("priority_support", proposal), REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 302


def test_supporting_needs_a_post(client_for: Any, history: History) -> None:
    assert client_for(None).get(url("priority_support", history.proposals[0])).status_code == 405


def test_a_verified_resident_votes_that_a_priority_under_review_is_resolved(
    client_for: Any, history: History
) -> None:
    under_review = next(p for p in history.live if p.status == "under_review")
    resident = verified_resident("voter@example.org")
    client = client_for(resident)
    page = client.get(under_review.get_absolute_url()).content.decode()
    assert "Is it resolved? Have your say" in page
    assert 'name="in_favour"' in page
    html = client.post(
        url("priority_vote", under_review), {"in_favour": "yes"}, follow=True
    ).content.decode()
    assert "Thank you: your vote has been counted." in html
    assert "You voted that it is resolved." in html
    assert "1 for and 0 against" in html
    again = client.post(url("priority_vote", under_review), {"in_favour": "no"}, follow=True)
    assert "You have already voted on this." in again.content.decode()
    vote = Vote.objects.get(priority=under_review, user=resident, question=Question.RESOLVED)
    assert vote.in_favour is True


def test_voting_on_a_priority_not_under_review_is_refused(
    client_for: Any, history: History
) -> None:
    active = next(p for p in history.live if p.status == "active")
    resident = verified_resident("voter@example.org")
    html = (
        client_for(resident)
        .post(url("priority_vote", active), {"in_favour": "yes"}, follow=True)
        .content.decode()
    )
    assert "Voting on this is closed" in html
    assert not Vote.objects.filter(priority=active).exists()


def test_a_bad_ballot_or_a_signed_out_voter_changes_nothing(
    client_for: Any, history: History
) -> None:
    under_review = next(p for p in history.live if p.status == "under_review")
    resident = verified_resident("voter@example.org")
    for value in ("", "maybe", "<script>", "1' OR '1'='1"):
        html = (
            client_for(resident)
            .post(url("priority_vote", under_review), {"in_favour": value}, follow=True)
            .content.decode()
        )
        assert "Please choose yes or no." in html
    signed_out = client_for(None).post(url("priority_vote", under_review), {"in_favour": "yes"})
    assert signed_out.status_code == 302
    assert "/accounts/login/" in signed_out["Location"]
    assert not Vote.objects.filter(priority=under_review).exists()


def test_signed_out_visitors_are_invited_to_sign_in_to_vote(
    client_for: Any, history: History
) -> None:
    under_review = next(p for p in history.live if p.status == "under_review")
    html = client_for(None).get(under_review.get_absolute_url()).content.decode()
    assert "Sign in to vote" in html
    assert 'name="in_favour"' not in html


def test_a_signed_in_resident_follows_and_stops_following(
    client_for: Any, history: History, personas: dict[str, Any]
) -> None:
    live = history.live[0]
    client = client_for(personas["resident"])
    html = client.post(url("priority_follow", live), {"follow": "1"}, follow=True).content.decode()
    assert "You will be told by e-mail when this priority changes." in html
    assert "Stop following" in html
    assert Follower.objects.filter(priority=live, user=personas["resident"]).count() == 1
    client.post(url("priority_follow", live), {"follow": "1"})
    assert Follower.objects.filter(priority=live, user=personas["resident"]).count() == 1
    html = client.post(url("priority_follow", live), {"follow": "0"}, follow=True).content.decode()
    assert "You will no longer hear about this priority." in html
    assert not Follower.objects.filter(priority=live).exists()


def test_following_needs_an_account_and_an_open_priority(
    client_for: Any, history: History, personas: dict[str, Any]
) -> None:
    live = history.live[0]
    response = client_for(None).post(url("priority_follow", live))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    closed = history.resolved[0]
    html = (
        client_for(personas["resident"])
        .post(url("priority_follow", closed), follow=True)
        .content.decode()
    )
    assert "This priority is closed" in html
    assert not Follower.objects.filter(priority=closed).exists()


def test_writes_on_an_unknown_priority_are_a_404(client_for: Any, history: History) -> None:
    client = client_for(None)
    for name in ("priority_support", "priority_vote", "priority_follow"):
        assert client.post(f"/en/priorities/999999/{name.split('_')[1]}/").status_code == 404
