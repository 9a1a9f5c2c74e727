"""The staff pages of imports: an analyst uploads the Essex month and sees what it added,
uploads it again and sees that nothing was added, watches a running import's progress (a page
that refreshes itself, without JavaScript) and reads the rejected rows with their reasons;
who may import and read imports is checked."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ourbeat.analytics import services
from ourbeat.analytics.importing import STREET_HEADER
from ourbeat.analytics.models import (
    ColumnMapping,
    ImportStatus,
    Incident,
    IncidentImport,
    IncidentSource,
)

NEW = reverse("staff_analytics:import_new")


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def detail(pk: int) -> str:
    return reverse("staff_analytics:import_detail", kwargs={"pk": pk})


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_analyst_imports_the_month_and_sees_what_it_added(
    policeuk: Path, personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(personas["analyst"])
    month = policeuk / "street" / "2018-03-essex-street.csv"

    form = client.get(NEW)
    # One organisation: nothing to choose.
    assert 'name="organisation"' not in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW, {"source": IncidentSource.POLICEUK_STREET, "uploads": upload(month)}
        )

    queued = IncidentImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(queued.pk)
    page = client.get(detail(queued.pk))
    assert page.status_code == 200
    shown = text(page.content.decode())
    assert "16,014 added, 0 already present, 0 rejected." in shown
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert queued.uploaded_by == personas["analyst"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, {"source": IncidentSource.POLICEUK_STREET, "uploads": upload(month)})
    again = IncidentImport.objects.latest("pk")
    shown = text(client.get(detail(again.pk)).content.decode())
    assert "0 added, 16,014 already present, 0 rejected." in shown
    assert "Nothing new" in shown
    listing = text(client.get(reverse("staff_analytics:imports")).content.decode())
    assert listing.count("2018-03-essex-street.csv") == 2


def test_several_files_are_imported_at_once(
    policeuk: Path, personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(personas["org_admin"])
    outcomes = policeuk / "outcomes" / "2026-02-city-of-london-outcomes.EXCERPT.csv"
    # The same month twice: the second copy adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            {
                "source": IncidentSource.POLICEUK_OUTCOMES,
                "uploads": [upload(outcomes), upload(outcomes)],
            },
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff_analytics:imports")
    done = list(IncidentImport.objects.order_by("pk").values_list("status", "rows_added"))
    assert done == [(ImportStatus.DONE, 25), (ImportStatus.DONE, 0)]


def test_a_refused_upload_shows_why_and_queues_nothing(
    personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    bad = SimpleUploadedFile("notes.csv", b"Date,What\n2024-01-01,x\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas["analyst"]).post(
            NEW, {"source": IncidentSource.POLICEUK_STREET, "uploads": bad}
        )

    assert response.status_code == 200
    assert "notes.csv: The header is not one of police.uk" in text(response.content.decode())
    assert not IncidentImport.objects.exists()


def test_a_running_import_shows_its_progress_and_refreshes_itself(
    personas: Any, client_for: Any, town: Any
) -> None:
    running = IncidentImport.objects.create(
        organisation=town.force,
        source=IncidentSource.POLICEUK_STREET,
        file_name="2024-05-street.csv",
        status=ImportStatus.RUNNING,
    )
    caches["progress"].set(
        services.progress_key(running.pk),
        {"rows_done": 200_000, "bytes_done": 40, "bytes_total": 100},
    )
    queued = IncidentImport.objects.create(
        organisation=town.force, source=IncidentSource.POLICEUK_STREET, file_name="next.csv"
    )
    client = client_for(personas["analyst"])

    page = client.get(detail(running.pk)).content.decode()
    waiting = client.get(detail(queued.pk)).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert re.search(r'<progress id="import-progress" max="100" value="40"', page)
    assert "Importing: 200,000 rows read" in text(page)
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert re.search(r'<progress id="import-progress" aria-labelledby', waiting)
    assert "Waiting to start" in waiting


def test_rejected_rows_are_listed_with_their_reasons_page_by_page(
    tmp_path: Path, personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = tmp_path / "month.csv"
    good = ["", "2024-05", "x", "x", "-1.48", "53.04", "Mill Lane", "", "", "Burglary", "", ""]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_HEADER)
        writer.writerows([good] + [[*good[:9], f"Mystery {n}", "", ""] for n in range(60)])
    client = client_for(personas["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, {"source": IncidentSource.POLICEUK_STREET, "uploads": upload(path)})
    done = IncidentImport.objects.get()

    first = text(client.get(detail(done.pk)).content.decode())
    second = text(client.get(detail(done.pk) + "?page=2").content.decode())

    assert "1 added, 0 already present, 60 rejected." in first
    assert "3 Unknown crime type “Mystery 0”." in first
    assert "Page 1 of 2" in first
    assert "Mystery 59" not in first
    assert "62 Unknown crime type “Mystery 59”." in second


def test_a_partner_csv_goes_through_a_mapping_saved_on_its_page(
    tmp_path: Path, personas: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(personas["analyst"])
    saved = client.post(
        reverse("staff_analytics:mapping_new"),
        {
            "name": "Council ASB log",
            "column_category": "Type",
            "column_date": "Reported",
            "column_latitude": "Y",
            "column_longitude": "X",
            "column_victim": "Caller",
            "date_format": "%d.%m.%Y",
            "category_values": "Noise = anti-social-behaviour\nLitter = other-crime",
        },
    )
    assert saved.status_code == 302
    mapping = ColumnMapping.objects.get(name="Council ASB log")
    path = tmp_path / "asb-log.csv"
    path.write_text(
        "Type,Reported,Y,X,Caller\nNoise,01.05.2024,53.04,-1.48,C-17\nLitter,02.05.2024,53.05,-1.49,C-17\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            NEW, {"source": IncidentSource.CSV, "mapping": mapping.pk, "uploads": upload(path)}
        )

    done = IncidentImport.objects.get()
    assert (done.status, done.rows_added) == (ImportStatus.DONE, 2)
    incidents = Incident.objects.filter(imported_by=done)
    assert sorted(incidents.values_list("category", flat=True)) == [
        "anti-social-behaviour",
        "other-crime",
    ]
    assert len(set(incidents.values_list("victim_key", flat=True))) == 1
    mapping_page = text(client.get(reverse("staff_analytics:mapping_new")).content.decode())
    assert "Council ASB log" in mapping_page


def test_a_mapping_form_with_a_missing_column_is_shown_again(
    personas: Any, client_for: Any
) -> None:
    response = client_for(personas["analyst"]).post(
        reverse("staff_analytics:mapping_new"),
        {"name": "Half", "column_category": "Type", "column_date": "When"},
    )

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ColumnMapping.objects.exists()


def test_only_importers_of_the_organisation_reach_the_pages(
    personas: Any, client_for: Any, town: Any
) -> None:
    theirs = IncidentImport.objects.create(
        organisation=town.council, source=IncidentSource.POLICEUK_STREET, file_name="c.csv"
    )
    ours = IncidentImport.objects.create(
        organisation=town.force, source=IncidentSource.POLICEUK_STREET, file_name="f.csv"
    )
    pages = [
        reverse("staff_analytics:imports"),
        NEW,
        reverse("staff_analytics:mapping_new"),
        detail(ours.pk),
    ]
    for name in ("officer", "supervisor", "partner_staff", "oversight", "resident"):
        client = client_for(personas[name])
        assert [client.get(url).status_code for url in pages] == [403] * 4, name
    anonymous = client_for(None)
    assert all(anonymous.get(url).status_code == 302 for url in pages)
    for name in ("analyst", "org_admin", "site_admin"):
        client = client_for(personas[name])
        assert [client.get(url).status_code for url in pages] == [200] * 4, name
    assert client_for(personas["analyst"]).get(detail(theirs.pk)).status_code == 403
    assert client_for(personas["site_admin"]).get(detail(theirs.pk)).status_code == 200
    # A site administrator chooses the organisation.
    assert 'name="organisation"' in client_for(personas["site_admin"]).get(NEW).content.decode()
