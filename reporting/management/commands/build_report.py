"""Build a quarterly report from the command line, without the download centre:

python manage.py build_report --report disbursements --fy 2025-26 --quarter 1 --output q1.xlsx [--format pdf]

Reports: utilization, disbursements, loans.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants.fiscal import FiscalYear
from reporting.services import ReportError, available_reports, write_report_file


class Command(BaseCommand):
    help = "Build a quarterly report (Excel or PDF) into a file."

    def add_arguments(self, parser):
        parser.add_argument("--report", required=True, choices=available_reports())
        parser.add_argument(
            "--fy", required=True, help="Fiscal year, e.g. 2025-26 (FY2025-26 = July 2025 to June 2026)"
        )
        parser.add_argument("--quarter", required=True, type=int, choices=(1, 2, 3, 4))
        parser.add_argument("--output", required=True, help="The file to write; replaced atomically when done.")
        parser.add_argument("--format", default=None, choices=("xlsx", "pdf"), help="Default: from --output's suffix")

    def handle(self, *args, report, fy, quarter, output, format, **options):
        try:
            fiscal_quarter = FiscalYear.parse(fy).quarter(quarter)
        except ValueError as error:
            raise CommandError(str(error)) from None
        path = Path(output).resolve()
        fmt = format or ("pdf" if path.suffix.lower() == ".pdf" else "xlsx")
        last = {"pct": -10}

        def progress(pct):
            if self.stdout.isatty() and pct >= last["pct"] + 10:
                last["pct"] = pct
                self.stdout.write(f"  {pct}%")

        try:
            size = write_report_file(kind=report, quarter=fiscal_quarter, fmt=fmt, final=path, progress=progress)
        except ReportError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"{report} report for {fiscal_quarter.long_label} written to {path} ({size:,} bytes).")
        )
