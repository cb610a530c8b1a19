"""The award register as open data in the 360Giving Data Standard (1.4): a JSON package, and the
same grants flattened to CSV and XLSX with the standard's column titles.

Identifiers (placeholders until the secretariat registers with 360Giving and org-id.guide):
- GRANT_PREFIX "360G-sahulat": 360Giving issues each publisher a prefix; this one is ours until then.
  A grant's id is the prefix and its sanction number, which never changes once issued.
- Recipients: "PK-NTN-" and the operator's national tax number, digits only (org-id.guide's scheme
  for Pakistan's FBR numbers).
- The funder, the program secretariat, has no registered identifier; FUNDER_ID follows 360Giving's
  rule for such organisations (the publisher's prefix and an internal id) and stays stable.
Override any of them in settings (OPEN_DATA_GRANT_PREFIX, OPEN_DATA_FUNDER_ID, OPEN_DATA_FUNDER_NAME).

The data is in English whatever language the request is in: it is data to reuse, not a page.
The schemas the export is tested against are copied in cms/standards/360giving/.
"""

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation

from .selectors import award_places, public_awards

SCHEMA_DIR = Path(__file__).resolve().parent / "standards" / "360giving"
STANDARD_VERSION = "1.4"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def grant_prefix() -> str:
    return getattr(settings, "OPEN_DATA_GRANT_PREFIX", "360G-sahulat")


def funder() -> dict:
    return {
        "id": getattr(settings, "OPEN_DATA_FUNDER_ID", f"{grant_prefix()}-ORG-SECRETARIAT"),
        "name": getattr(settings, "OPEN_DATA_FUNDER_NAME", "Sahulat Program Secretariat, Government of the Punjab"),
    }


def organisation_id(ntn: str) -> str:
    return "PK-NTN-" + "".join(ch for ch in ntn if ch.isdigit())


def _number(amount: Decimal):
    amount = Decimal(amount)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _award_date(award) -> str:
    return timezone.localtime(award.offered_at).date().isoformat()


def grant(award) -> dict:
    """One award as a 360Giving grant."""
    application = award.application
    program = application.call.program
    operator = application.operator
    places = award_places(award)
    districts = list(dict.fromkeys(space.district for space in places))
    instrument = program.Instrument(program.instrument)
    with translation.override("en"):  # choices are lazy translations
        instrument_title = str(instrument.label)
    where = f" in {', '.join(districts)} district{'s' if len(districts) > 1 else ''}, Punjab" if districts else ""
    return {
        "id": f"{grant_prefix()}-{award.sanction_number}",
        "title": f"{program.name}: {operator.legal_name}",
        "description": (
            f"{instrument_title} of PKR {award.amount:,.0f} under {program.name} to {operator.legal_name} "
            f"for coworking space{'s' if len(places) > 1 else ''}{where} (sanction {award.sanction_number})."
        ),
        "currency": "PKR",
        "amountAwarded": _number(award.amount),
        "awardDate": _award_date(award),
        "recipientOrganization": [{"id": organisation_id(operator.ntn), "name": operator.legal_name}],
        "fundingOrganization": [funder()],
        "beneficiaryLocation": [{"name": district, "countryCode": "PK"} for district in districts],
        "grantProgramme": [{"code": program.code, "title": program.name}],
        "classifications": [{"vocabulary": "Sahulat instrument", "code": instrument.value, "title": instrument_title}],
        "fromOpenCall": "Yes",
    }


def grants(awards=None) -> list[dict]:
    awards = public_awards(sort="date_asc") if awards is None else awards
    return [grant(award) for award in awards]


def package(awards=None, *, now: dt.datetime | None = None) -> dict:
    """The 360Giving JSON package of every public award (oldest first). Note the standard requires at
    least one grant: with no awards yet the package has an empty list and does not validate."""
    now = now or timezone.now()
    return {
        "version": STANDARD_VERSION,
        "title": "Sahulat awards: grants, soft loans and utility subsidies for Punjab coworking spaces",
        "description": "Every award made by the Sahulat programs to coworking space operators in Punjab: "
        "development grants, soft loans and electricity subsidies.",
        "identifier": f"{grant_prefix()}-awards",
        "issued": timezone.localdate(now).isoformat(),
        "modified": timezone.localtime(now).isoformat(timespec="seconds"),
        "publisher": {"identifier": funder()["id"], "name": funder()["name"]},
        "license": LICENSE,
        "grants": grants(awards),
    }


def dumps(package: dict) -> str:
    return json.dumps(package, ensure_ascii=False, indent=2)


# --- flat files ------------------------------------------------------------------------------------

# 360Giving's flattened column titles (flatten-tool "rollUp" titles of the grant schema).
COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Award Date", lambda g: g["awardDate"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    # A utility enrolment may cover spaces in several districts: one cell, names separated by "; ".
    ("Beneficiary Location:Name", lambda g: "; ".join(loc["name"] for loc in g["beneficiaryLocation"])),
    ("Beneficiary Location:Country Code", lambda g: "PK" if g["beneficiaryLocation"] else ""),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("Classifications:Code", lambda g: g["classifications"][0]["code"]),
    ("Classifications:Title", lambda g: g["classifications"][0]["title"]),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
]
HEADER = [title for title, _value in COLUMNS]


def flat_rows(grant_list=None):
    """The grants as rows of cells; text through reporting.excel.safe_text (no formula injection)."""
    from core.spreadsheet import safe_text

    for item in grants() if grant_list is None else grant_list:
        yield [safe_text(value(item)) for _title, value in COLUMNS]


def write_csv(stream, grant_list=None) -> int:
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    count = 0
    for row in flat_rows(grant_list):
        writer.writerow(row)
        count += 1
    return count


def csv_bytes(grant_list=None) -> bytes:
    buffer = io.StringIO()
    write_csv(buffer, grant_list)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # a BOM so Excel reads UTF-8


def xlsx_bytes(grant_list=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("grants")
    bold = Font(bold=True)
    header = []
    for title in HEADER:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in flat_rows(grant_list):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # always a string cell, never a formula
            cells.append(cell)
        ws.append(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
