import json
from typing import Any

from django.core.management.base import BaseCommand

from ourbeat.api.api import api


class Command(BaseCommand):
    help = "Print the OpenAPI document of ourbeat's JSON API (committed as docs/openapi.json)."

    def handle(self, *args: Any, **options: Any) -> None:
        schema = api.get_openapi_schema(path_prefix="/api/v1")
        self.stdout.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False))
