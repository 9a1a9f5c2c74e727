"""The demo town holds a year of community concerns: every status, category and
neighbourhood, threads, ratings, referrals and duplicates, generated deterministically from
the seed, with reporters at example domains only and personal details masked in public."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ourbeat.concerns.models import (
    OPEN_STATUSES,
    Category,
    Concern,
    Rating,
    Referral,
    Reporter,
    Status,
    Update,
    UpdateKind,
)
from ourbeat.concerns.selectors import due_dates
from ourbeat.core.models import AuditEvent
from ourbeat.core.text import mask_personal_details
from ourbeat.demo.concerns import concerns_generate
from ourbeat.demo.town import generate
from ourbeat.places.selectors import point_in_area

SEED = 1829


@pytest.fixture(scope="module")
def plan() -> Any:
    today = date(2026, 3, 14)
    return concerns_generate(generate(SEED, today), SEED, today)


def test_the_demo_holds_concerns_in_every_status(town: Any) -> None:
    statuses = set(Concern.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert Concern.objects.filter(confirmed_at__isnull=True).exists()  # never confirmed
    assert Concern.objects.filter(confirmed_at__isnull=False, published_at__isnull=True).exists()
    assert Concern.objects.filter(hidden=True).count() >= 2
    assert Concern.objects.exclude(status_note="").filter(status=Status.NOT_POLICE_MATTER).exists()
    assert not Concern.objects.filter(status=Status.NOT_POLICE_MATTER, status_note="").exists()


def test_the_demo_holds_concerns_in_every_category_and_every_neighbourhood(town: Any) -> None:
    assert 400 <= Concern.objects.count() <= 700
    categories = Category.objects.filter(organisation=town.force)
    assert set(Concern.objects.values_list("category", flat=True)) == {c.pk for c in categories}
    assert set(Concern.objects.values_list("area", flat=True)) == {
        n.pk for n in town.neighbourhoods
    }
    # Some neighbourhoods are busier than others.
    counts = [Concern.objects.filter(area=n).count() for n in town.neighbourhoods]
    assert max(counts) >= 2 * min(counts)


def test_the_concerns_span_about_a_year_older_ones_mostly_closed_recent_ones_mostly_open(
    town: Any,
) -> None:
    now = timezone.now()
    dates = list(Concern.objects.values_list("created_at", flat=True))
    assert max(dates) <= now
    assert 330 <= (now - min(dates)).days <= 366
    months = {(d.year, d.month) for d in dates}
    assert len(months) >= 12
    old = Concern.objects.filter(created_at__lt=now - timedelta(days=90))
    recent = Concern.objects.filter(created_at__gte=now - timedelta(days=21))
    assert old.filter(status__in=OPEN_STATUSES).count() < 0.25 * old.count()
    assert recent.filter(status__in=OPEN_STATUSES).count() > 0.5 * recent.count()
    overdue = [
        c
        for c in Concern.objects.filter(status=Status.SUBMITTED, published_at__isnull=False)
        if due_dates(c)[0] < now.date()
    ]
    assert overdue
    for concern in Concern.objects.exclude(published_at=None)[:200]:
        assert concern.confirmed_at is not None
        assert concern.published_at is not None
        assert concern.created_at <= concern.confirmed_at <= concern.published_at <= now


def test_concerns_lie_inside_their_neighbourhoods(town: Any) -> None:
    for concern in Concern.objects.select_related("area"):
        assert point_in_area(concern.area, concern.latitude, concern.longitude)


def test_concerns_have_threads_ratings_referrals_and_duplicates(town: Any) -> None:
    kinds = set(Update.objects.values_list("kind", flat=True))
    assert {
        UpdateKind.RESPONSE,
        UpdateKind.STATUS,
        UpdateKind.NOTE,
        UpdateKind.REPLY,
        UpdateKind.REFERRAL,
    } <= kinds
    assert not Update.objects.filter(kind__in=[UpdateKind.NOTE, UpdateKind.REPLY], public=True)
    for update in Update.objects.select_related("concern")[:500]:
        assert update.created_at >= update.concern.created_at
    closed = Concern.objects.filter(
        status__in=[Status.RESOLVED, Status.CLOSED, Status.NOT_POLICE_MATTER]
    )
    assert Rating.objects.count() > 0.5 * closed.count()
    assert not Rating.objects.filter(concern__status__in=OPEN_STATUSES).exists()
    assert {1, 5} <= set(Rating.objects.values_list("satisfied", flat=True))
    assert Referral.objects.filter(to_organisation=town.council).count() >= 5
    duplicates = Concern.objects.filter(status=Status.DUPLICATE).select_related("duplicate_of")
    assert duplicates.count() >= 3
    for duplicate in duplicates:
        original = duplicate.duplicate_of
        assert original is not None
        assert original.created_at < duplicate.created_at
        assert original.category_id == duplicate.category_id
        assert original.supporters >= 1
    assert Concern.objects.filter(responsible=town.council).exists()
    assert Concern.objects.exclude(assigned_to=None).exists()
    # The recent concerns were handled through the services, which audit every step.
    assert AuditEvent.objects.filter(action="concerns.concern.status").exists()


def test_the_generator_returns_the_same_concerns_for_the_same_seed(plan: Any) -> None:
    today = date(2026, 3, 14)
    again = concerns_generate(generate(SEED, today), SEED, today)
    assert again == plan
    other = concerns_generate(generate(SEED + 1, today), SEED + 1, today)
    assert [c.description for c in other] != [c.description for c in plan]


def test_the_generator_spreads_concerns_over_the_year_with_seasons(plan: Any) -> None:
    months: dict[int, int] = {}
    for concern in plan:
        months[concern.reported_at.month] = months.get(concern.reported_at.month, 0) + 1
        assert concern.reported_at.date() < date(2026, 3, 14)
    assert len(months) == 12
    lights = [c.reported_at.month for c in plan if c.category == "street-light"]
    winter = sum(1 for m in lights if m in {11, 12, 1, 2})
    summer = sum(1 for m in lights if m in {5, 6, 7, 8})
    assert winter > summer


def test_reporters_emails_are_only_at_example_domains(town: Any, plan: Any) -> None:
    emails = list(Reporter.objects.values_list("email", flat=True))
    assert emails
    assert all(e.endswith(("@example.org", "@example.com")) for e in emails)
    assert all(c.reporter_email.endswith(("@example.org", "@example.com")) for c in plan)


def test_only_descriptions_with_personal_details_change_when_masked(plan: Any) -> None:
    planted = [c for c in plan if c.personal_details]
    assert planted
    for concern in plan:
        changed = mask_personal_details(concern.description) != concern.description
        assert changed == concern.personal_details, concern.description


def test_the_published_text_of_concerns_with_personal_details_is_masked(town: Any) -> None:
    published = Concern.objects.exclude(published_at=None)
    with_details = [
        c
        for c in published
        if "@example.com" in c.description
        or "07700" in c.description
        or "registration" in c.description
    ]
    assert len(with_details) >= 5
    for concern in with_details:
        assert "@" not in concern.public_text
        assert "07700" not in concern.public_text
        assert "removed]" in concern.public_text
    for concern in published:
        if concern.public_text != concern.description:
            assert "removed]" in concern.public_text
