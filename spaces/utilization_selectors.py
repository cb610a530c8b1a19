"""Reads of utilization returns that the portal, the workbench and the reports share."""

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet

from .models import Space, UtilizationReturn


def spaces_without_return(month: dt.date) -> QuerySet[Space]:
    """Active spaces open by the end of `month` with no return for it (the officers' chase list)."""
    filed = UtilizationReturn.objects.filter(space=OuterRef("pk"), month=month)
    next_month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        Space.objects.filter(network_status=Space.NetworkStatus.ACTIVE, opening_date__lt=next_month)
        .exclude(Exists(filed))
        .select_related("operator")
        .order_by("division", "district", "name")
    )
