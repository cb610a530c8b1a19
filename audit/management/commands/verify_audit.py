from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify_against_heads, audit_verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit log's keyed hash chain; with --against FILE, also every head saved in FILE "
        "(JSON lines, as publish_audit_head writes and /open-data/audit-head.json serves). "
        "Prints OK, or what is broken, and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            metavar="FILE",
            help="A file of saved heads (one JSON object a line): finds a cut tail or a rewritten chain.",
        )

    def handle(self, *args, **options):
        path = options.get("against")
        if path:
            try:
                result = audit_verify_against_heads(path)
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read the heads: {error}") from None
        else:
            result = audit_verify_chain()
        problems = []
        if result.broken_id is not None:
            problems.append(
                f"BROKEN at audit event {result.broken_id}: {result.problem}. "
                f"{result.checked} events before it are intact."
            )
        problems.extend(f"HEAD FAILED: {failure}." for failure in result.failed_heads)
        if problems:
            raise CommandError("\n".join(problems))
        if path:
            self.stdout.write(f"OK: {result.checked} events, chain intact, every head in {path} matches.")
        else:
            self.stdout.write(f"OK: {result.checked} events, chain intact.")
