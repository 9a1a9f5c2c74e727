"""The public summary of a case: written and published by the lead force's staff, masked of
personal details, and the only part of a case the public ever sees."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

SECRET_EMAIL = "jane.victim@example.net"
SECRET_NAME = "Jane Quixote-Victimson"


@pytest.fixture
def case(town: Any) -> Any:
    """A case whose restricted parts name a person; its public summary is not written yet."""
    from ourbeat.problems.models import CaseMember, Note, Problem, Task, TriangleEntry

    problem = Problem.objects.create(
        organisation=town.force,
        area=town.home,
        title=f"Burglaries at {SECRET_NAME}'s street",
        description=f"Reported by {SECRET_NAME} ({SECRET_EMAIL}).",
        cells=["89195da49b7ffff"],
    )
    CaseMember.objects.create(problem=problem, organisation=town.council, role="Street lighting")
    Note.objects.create(problem=problem, text=f"Call {SECRET_NAME} back on {SECRET_EMAIL}")
    TriangleEntry.objects.create(problem=problem, side="target", description=SECRET_NAME)
    Task.objects.create(
        problem=problem,
        title=f"Visit {SECRET_NAME}",
        organisation=town.council,
        due_on=date(2030, 1, 1),
    )
    return problem


def _write(client: Any, case: Any, title: str, summary: str) -> Any:
    return client.post(
        reverse("staff_problems:summary", kwargs={"pk": case.pk}),
        {"public_title": title, "public_summary": summary},
    )


def _publish(client: Any, case: Any, publish: bool = True) -> Any:
    return client.post(
        reverse("staff_problems:summary_publish", kwargs={"pk": case.pk}),
        {"publish": "1" if publish else "0"},
    )


def test_an_unpublished_case_is_not_public(case: Any, client_for: Any) -> None:
    public = client_for(None)

    assert public.get(reverse("problems:detail", kwargs={"pk": case.pk})).status_code == 404
    assert SECRET_NAME not in public.get(reverse("problems:list")).content.decode()


def test_staff_write_and_publish_a_summary_that_the_public_then_reads(
    case: Any, personas: Any, client_for: Any, town: Any
) -> None:
    from ourbeat.core.models import AuditEvent

    officer = client_for(personas["officer"])
    assert _write(officer, case, "Fewer break-ins", "Lighting was fixed.").status_code == 302
    # Written but not yet published: still not public.
    assert (
        client_for(None).get(reverse("problems:detail", kwargs={"pk": case.pk})).status_code == 404
    )

    assert _publish(officer, case).status_code == 302

    case.refresh_from_db()
    assert case.public_published_at is not None
    detail = client_for(None).get(reverse("problems:detail", kwargs={"pk": case.pk}))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Fewer break-ins" in page
    assert "Lighting was fixed." in page
    assert town.home.name in page
    assert "Scanning" in page  # the stage, in words
    listing = client_for(None).get(reverse("problems:list")).content.decode()
    assert "Fewer break-ins" in listing
    assert AuditEvent.objects.filter(
        action="problems.summary.write", object_id=str(case.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="problems.summary.publish", object_id=str(case.pk)
    ).exists()


def test_restricted_fields_never_reach_the_public_pages(
    case: Any, personas: Any, client_for: Any
) -> None:
    officer = client_for(personas["officer"])
    _write(officer, case, "Fewer break-ins", "Lighting was fixed.")
    _publish(officer, case)

    for url in (reverse("problems:list"), reverse("problems:detail", kwargs={"pk": case.pk})):
        page = client_for(None).get(url).content.decode()
        assert SECRET_NAME not in page
        assert SECRET_EMAIL not in page
        assert "89195da49b7ffff" not in page  # never the cells
        assert "Burglaries at" not in page  # the restricted title


def test_personal_details_in_the_summary_are_masked_before_storing(
    case: Any, personas: Any, client_for: Any
) -> None:
    officer = client_for(personas["officer"])
    _write(
        officer,
        case,
        "Write to owner@example.org",
        "Call 07700 900123 or mail owner@example.org about car AB12 CDE.",
    )
    _publish(officer, case)

    case.refresh_from_db()
    assert "owner@example.org" not in case.public_title + case.public_summary
    assert "07700 900123" not in case.public_summary
    assert "AB12 CDE" not in case.public_summary
    page = client_for(None).get(reverse("problems:detail", kwargs={"pk": case.pk})).content.decode()
    assert "owner@example.org" not in page
    assert "07700 900123" not in page
    assert "AB12 CDE" not in page
    assert "[e-mail removed]" in page
    assert "[phone number removed]" in page
    assert "[registration removed]" in page


def test_html_in_the_summary_is_shown_as_text(case: Any, personas: Any, client_for: Any) -> None:
    officer = client_for(personas["officer"])
    _write(officer, case, "<b>Bold</b> title", "<script>alert('x')</script> and <img src=x>")
    _publish(officer, case)

    page = client_for(None).get(reverse("problems:detail", kwargs={"pk": case.pk})).content.decode()

    assert "<script>alert" not in page
    assert "<img src=x>" not in page
    assert "&lt;script&gt;alert" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page


@pytest.mark.parametrize(
    ("title", "summary"),
    [("", "Some text."), ("A title", ""), ("x" * 201, "Some text."), ("A title", "bad \x00")],
    ids=["no-title", "no-summary", "long-title", "control-character"],
)
def test_a_bad_summary_gets_a_form_error_and_changes_nothing(
    case: Any, personas: Any, client_for: Any, title: str, summary: str
) -> None:
    response = _write(client_for(personas["officer"]), case, title, summary)

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    case.refresh_from_db()
    assert case.public_title == ""
    assert case.public_summary == ""


def test_a_summary_cannot_be_published_before_it_is_written(
    case: Any, personas: Any, client_for: Any
) -> None:
    officer = client_for(personas["officer"])

    response = _publish(officer, case)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.public_published_at is None
    page = officer.get(response["Location"]).content.decode()
    assert "Write the public summary before publishing it." in page


def test_withdrawing_the_summary_takes_it_off_the_public_pages(
    case: Any, personas: Any, client_for: Any
) -> None:
    officer = client_for(personas["officer"])
    _write(officer, case, "Fewer break-ins", "Lighting was fixed.")
    _publish(officer, case)

    _publish(officer, case, publish=False)

    case.refresh_from_db()
    assert case.public_published_at is None
    assert (
        client_for(None).get(reverse("problems:detail", kwargs={"pk": case.pk})).status_code == 404
    )


def test_the_staff_page_previews_the_summary_with_a_reminder(
    case: Any, personas: Any, client_for: Any
) -> None:
    officer = client_for(personas["officer"])
    _write(officer, case, "Fewer break-ins", "Lighting was fixed.")

    page = officer.get(reverse("staff_problems:summary", kwargs={"pk": case.pk})).content.decode()

    assert "as the public will see it" in page
    assert "no personal data" in page
    assert "Lighting was fixed." in page


def test_member_partners_may_not_write_or_publish_the_summary(
    case: Any, personas: Any, client_for: Any
) -> None:
    partner = client_for(personas["partner_staff"])

    assert partner.get(reverse("staff_problems:summary", kwargs={"pk": case.pk})).status_code == 403
    assert _write(partner, case, "Title", "Text.").status_code == 403
    assert _publish(partner, case).status_code == 403
    case.refresh_from_db()
    assert case.public_summary == ""


def test_the_public_list_is_newest_first_and_paginated(town: Any, client_for: Any) -> None:
    from ourbeat.problems.models import Problem

    # Only these cases are published (the demo town's own summaries are set aside).
    Problem.objects.filter(public_published_at__isnull=False).update(public_published_at=None)
    now = timezone.now()
    for index in range(21):
        Problem.objects.create(
            organisation=town.force,
            area=town.home,
            title=f"Case {index}",
            public_title=f"Published case number {index:02d}",
            public_summary="Summary.",
            public_published_at=now - timedelta(days=index),
        )
    Problem.objects.create(
        organisation=town.force,
        area=town.home,
        title="Hidden",
        public_title="Never published case",
        public_summary="Summary.",
    )
    public = client_for(None)

    first = public.get(reverse("problems:list")).content.decode()
    second = public.get(reverse("problems:list") + "?page=2").content.decode()

    # 21 published at 20 a page: the 20 newest (days 0..19) first, the oldest (day 20) next.
    assert first.index("Published case number 00") < first.index("Published case number 01")
    assert "Published case number 19" in first
    assert "Published case number 20" not in first
    assert "Published case number 20" in second
    assert "Published case number 00" not in second
    assert "Never published case" not in first + second
    assert "Page 1 of 2" in first


def _published(town: Any, count: int) -> None:
    from ourbeat.problems.models import Problem

    for index in range(count):
        Problem.objects.create(
            organisation=town.force,
            area=town.home,
            title=f"Case {index}",
            public_title=f"Case {index}",
            public_summary="Summary.",
            public_published_at=timezone.now(),
        )


def test_the_public_list_costs_the_same_queries_for_2_or_20_summaries(
    town: Any, client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    public = client_for(None)
    _published(town, 2)
    with CaptureQueriesContext(connection) as few:
        assert public.get(reverse("problems:list")).status_code == 200
    _published(town, 18)
    with CaptureQueriesContext(connection) as many:
        assert public.get(reverse("problems:list")).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)
