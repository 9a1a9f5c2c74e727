from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ourbeat.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit non-zero at the first bad row."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.problem is not None:
            raise CommandError(
                f"audit log broken at event #{report.problem.event_id}: {report.problem.reason} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(
            f"audit log intact: {report.checked} events, head {report.head_hash[:16]}…"
        )
