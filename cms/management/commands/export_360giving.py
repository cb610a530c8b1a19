from pathlib import Path

from django.core.management.base import BaseCommand

from cms import open_data


class Command(BaseCommand):
    help = "Write every public award as a 360Giving JSON package (the file /open-data/awards.json serves)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="-", help="File to write; '-' (the default) for standard output.")

    def handle(self, *args, output, **options):
        package = open_data.package()
        text = open_data.dumps(package) + "\n"
        if output == "-":
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {len(package['grants'])} grants to {output}.")
