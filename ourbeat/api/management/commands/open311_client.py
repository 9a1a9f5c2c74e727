"""Issue and manage Open311 api keys: ``open311_client add NAME`` prints the new key as the
last word of its output (it is shown only once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ourbeat.api.models import Open311Client
from ourbeat.api.open311_services import open311_client_issue, open311_client_set_active
from ourbeat.places.models import Organisation


class Command(BaseCommand):
    help = "Issue, list, deactivate or reactivate the api keys of Open311 client applications."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="Register an application and print its new key.")
        add.add_argument("name")
        add.add_argument(
            "--organisation", help="Only for this jurisdiction (an organisation's identifier)."
        )
        actions.add_parser("list", help="List the applications.")
        for action in ("deactivate", "activate"):
            actions.add_parser(action, help=f"{action.capitalize()} a key.").add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options["name"], options.get("organisation"))
        elif action == "list":
            for client in Open311Client.objects.select_related("organisation"):
                state = _("active") if client.active else _("inactive")
                where = client.organisation.slug if client.organisation else "*"
                self.stdout.write(f"{client.name}\t{client.key_prefix}…\t{where}\t{state}")
        else:
            found = Open311Client.objects.filter(name=options["name"]).first()
            if found is None:
                raise CommandError(_("No application is called %(name)s.") % options)
            open311_client_set_active(client=found, active=action == "activate")
            self.stdout.write(_("%(name)s: done.") % options)

    def _add(self, name: str, organisation_slug: str | None) -> None:
        name = name.strip()
        if not name or len(name) > 120:
            raise CommandError(_("Give the application a name of at most 120 characters."))
        if Open311Client.objects.filter(name=name).exists():
            raise CommandError(_("An application is already called %(name)s.") % {"name": name})
        organisation = None
        if organisation_slug:
            organisation = Organisation.objects.filter(slug=organisation_slug).first()
            if organisation is None:
                raise CommandError(
                    _("No organisation has the identifier %(slug)s.") % {"slug": organisation_slug}
                )
        issued = open311_client_issue(name=name, organisation=organisation)
        self.stdout.write(
            _("The api_key of %(name)s (keep it secret; it is shown only once): %(key)s")
            % {"name": issued.client.name, "key": issued.key}
        )
