from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain. Prints OK, or the first broken event and exits 1."

    def handle(self, *args, **options):
        result = audit_verify_chain()
        if result.ok:
            self.stdout.write(f"OK: {result.checked} events, chain intact.")
            return
        raise CommandError(
            f"BROKEN at audit event {result.broken_id}: {result.problem}. {result.checked} events before it are intact."
        )
