from django.core.management.base import BaseCommand

from audit.services import audit_publish_head


class Command(BaseCommand):
    help = "Append the audit chain's head (last id, count, hash, time) to AUDIT_HEAD_FILE (or --file)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Append here instead of settings.AUDIT_HEAD_FILE.")

    def handle(self, *args, **options):
        head = audit_publish_head(path=options.get("file"))
        self.stdout.write(f"Published audit head: event {head['id']}, {head['count']} events, hash {head['hash']}.")
