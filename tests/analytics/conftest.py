"""Fixtures the analytics tests share: the real police.uk files, and importing a file the way
the staff pages do (checked and stored by ``import_create``, run by ``import_run``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

POLICEUK = Path(settings.BASE_DIR).parent / "shared" / "data" / "policeuk"


@pytest.fixture
def policeuk() -> Path:
    """The police.uk data folder (street/, outcomes/, stop_and_search/)."""
    return POLICEUK


@pytest.fixture
def import_file(db: Any) -> Callable[..., Any]:
    """``import_file(path, organisation, source, mapping=None, name=None)``: the finished
    ``IncidentImport`` (done or failed)."""
    from ourbeat.analytics import services

    def run(
        path: Path, organisation: Any, source: str, mapping: Any = None, name: str | None = None
    ) -> Any:
        with open(path, "rb") as content:
            [queued] = services.import_create(
                actor=None,
                organisation=organisation,
                source=source,
                mapping=mapping,
                uploads=[services.Upload(name=name or path.name, content=content)],
                run=False,
            )
        return services.import_run(incident_import_id=queued.pk)

    return run
