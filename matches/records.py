"""How the two records of a match are named to staff: what kind of record, which one, on which case.
Identifiers are not part of the name (the shared value is shown apart, masked where it must be)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from grants.models import ApplicationDocument, TrancheEvidence, UtilityClaim, UtilityConnection
from spaces.models import Operator, Space


def describe(record: Any) -> dict[str, str]:
    """{"kind", "name", "case"} of a match's record; a record since removed is said to be gone."""
    if record is None:
        return {"kind": "", "name": _("(the record no longer exists)"), "case": ""}
    kind = str(record._meta.verbose_name).capitalize()
    if isinstance(record, Operator):
        return {"kind": kind, "name": record.legal_name, "case": ""}
    if isinstance(record, Space):
        return {"kind": kind, "name": f"{record.code} {record.name}", "case": record.operator.legal_name}
    if isinstance(record, UtilityConnection):
        return {"kind": kind, "name": str(record.space), "case": record.application.reference}
    if isinstance(record, ApplicationDocument):
        return {"kind": kind, "name": str(record), "case": record.application.reference}
    if isinstance(record, TrancheEvidence):
        return {"kind": kind, "name": str(record), "case": record.tranche.award.application.reference}
    if isinstance(record, UtilityClaim):
        return {"kind": kind, "name": str(record), "case": record.connection.application.reference}
    return {"kind": kind, "name": str(record), "case": ""}
