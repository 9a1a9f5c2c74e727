from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ourbeat.core import audit
from ourbeat.places.models import Area
from ourbeat.places.services import area_index


class Command(BaseCommand):
    help = "Rebuild the H3 index of every area (after changing OURBEAT_H3_RESOLUTION)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        with transaction.atomic():
            areas = list(Area.objects.all())
            for area in areas:
                total += area_index(area)
            audit.record("places.areas.reindex", actor=None, data={"areas": len(areas)})
        self.stdout.write(f"indexed {len(areas)} areas in {total} cells")
