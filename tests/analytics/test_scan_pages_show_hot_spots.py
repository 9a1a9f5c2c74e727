"""An analyst runs hot spots for burglary on the staff page: the map (SVG hexagons with a
title, a description, a title per hexagon and a legend), the table of significant cells with
a way to propose a priority from each hot spot, and the density map; asking again is
answered from the stored run."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from ourbeat.analytics.models import AnalysisRun
from ourbeat.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PARAMETERS = {"category": "burglary", "resolution": "9", "permutations": "9999", "seed": "7"}


def _run_page(client: Any, captured: Any) -> Any:
    """Ask for the analysis; the test's transaction never commits, so the queued run is
    computed when the captured on-commit callbacks run, and the page shows the run's
    progress until then."""
    url = reverse("staff_analytics:hotspots")
    with captured(execute=True):
        queued = client.get(url, PARAMETERS)
    run = AnalysisRun.objects.get(kind="hotspots")
    assert queued.status_code == 302
    assert queued["Location"] == reverse("staff_analytics:run", kwargs={"pk": run.pk})
    return client.get(url, PARAMETERS)


def test_the_analyst_sees_the_map_and_the_table_of_significant_cells(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _run_page(client_for(personas["analyst"]), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    html = response.content.decode()
    run = AnalysisRun.objects.get(kind="hotspots")
    assert run.status == "done", run.error
    significant = [row for row in (run.result or {})["cells"] if row["bin"] != 0]
    assert significant, "the demo town's burglary has hot spots"
    # The map: an SVG with a title and a description, one path per cell with events or a
    # significant result, each with its own title.
    svg = re.search(r'<svg class="svg-map"[^>]*id="hotspot-map".*?</svg>', html, re.S)
    assert svg is not None
    assert '<title id="hotspot-map-title">' in svg.group(0)
    assert '<desc id="hotspot-map-desc">' in svg.group(0)
    assert svg.group(0).count('class="hex"') == len((run.result or {})["cells"])
    assert svg.group(0).count("<title>") >= len((run.result or {})["cells"])
    # The table: one row per significant cell, with its count and confidence.
    table = re.search(r'<table id="hotspot-table">.*?</table>', html, re.S)
    assert table is not None
    for row in significant:
        assert f'id="cell-{row["cell"]}"' in table.group(0)
    assert "Propose a priority here" in table.group(0)
    assert "Kernel density of the events" in html


def test_asking_again_is_answered_from_the_stored_run(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(personas["analyst"])
    _run_page(client, django_capture_on_commit_callbacks)
    first = AnalysisRun.objects.get()
    audited = AuditEvent.objects.filter(action="analytics.run.create").count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.get(reverse("staff_analytics:hotspots"), PARAMETERS)
    assert again.status_code == 200
    assert callbacks == []
    assert AnalysisRun.objects.get() == first
    assert AuditEvent.objects.filter(action="analytics.run.create").count() == audited


def test_propose_a_priority_here_opens_the_neighbourhoods_proposal_form_prefilled(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from allauth.account.models import EmailAddress

    from ourbeat.places.selectors import locate_neighbourhood

    analyst = personas["analyst"]
    EmailAddress.objects.create(user=analyst, email=analyst.email, verified=True, primary=True)
    client = client_for(analyst)
    html = _run_page(client, django_capture_on_commit_callbacks).content.decode()
    run = AnalysisRun.objects.get(kind="hotspots")
    hot = max(
        (row for row in (run.result or {})["cells"] if row["bin"] > 0), key=lambda row: row["z"]
    )
    area = locate_neighbourhood(hot["lat"], hot["lng"])
    assert area is not None
    row = re.search(rf'<tr id="cell-{hot["cell"]}">.*?</tr>', html, re.S)
    assert row is not None
    link = re.search(r'<a href="([^"]+)">Propose a priority here</a>', row.group(0))
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(reverse("engagement:priority_propose", kwargs={"slug": area.slug}))
    form = client.get(url).content.decode()
    title = re.search(r'<input[^>]*name="title"[^>]*>', form)
    assert title is not None
    assert f'value="{escape("Burglary hot spot in " + area.name)}"' in title.group(0)
    description = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', form, re.S)
    assert description is not None
    assert hot["cell"] in description.group(1)
