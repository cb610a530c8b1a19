"""The list endpoints' query parameters (django-filter): a value that is not valid is a 400 problem
naming the parameter (REST framework's DjangoFilterBackend raises it), never an unfiltered list."""

import datetime as dt
import re

import django_filters
from django import forms
from django.db import connection
from django.db.models import DateTimeField, F, Func
from django.utils.translation import gettext_lazy as _

from finance.models import PaymentBatch, PaymentInstruction, PaymentState
from grants.fiscal import FiscalQuarter, FiscalYear
from grants.models import Award, Call, Program
from loans.models import Loan, LoanState
from reporting.disbursement_selectors import quarter_bounds
from spaces.geography import DISTRICT_CHOICES, DIVISION_CHOICES
from spaces.models import Space, UtilizationReturn

from . import selectors

QUARTER_RE = re.compile(r"^(?:FY)?(\d{4}(?:-\d{2})?)-?Q([1-4])$", re.IGNORECASE)


class FiscalQuarterField(forms.CharField):
    """FY2025-26-Q1 (also 2025-26-Q1): the fiscal quarter, July to September being Q1."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = QUARTER_RE.match(value.replace(" ", ""))
        if not match:
            raise forms.ValidationError(_("Write the fiscal quarter as FY2025-26-Q1."))
        try:
            return FiscalYear.parse(match.group(1)).quarter(int(match.group(2)))
        except ValueError:
            raise forms.ValidationError(_("Write the fiscal quarter as FY2025-26-Q1.")) from None


class FiscalQuarterFilter(django_filters.Filter):
    field_class = FiscalQuarterField


class UpdatedSince(django_filters.IsoDateTimeFilter):
    """Rows changed at or after this time (ISO 8601, with its offset; the audit log's clock)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Changed at or after (ISO 8601)"))
        kwargs.setdefault("method", "filter_updated_since")
        super().__init__(*args, **kwargs)


class AuditedFilterSet(django_filters.FilterSet):
    object_types: tuple[str, ...] = ()

    def filter_updated_since(self, queryset, name, value: dt.datetime):
        return queryset.filter(selectors.changed_since(value, self.object_types))


class ProgramFilter(AuditedFilterSet):
    object_types = ("grants.program",)
    updated_since = UpdatedSince()
    instrument = django_filters.ChoiceFilter(choices=Program.Instrument.choices)

    class Meta:
        model = Program
        fields = ["instrument", "updated_since"]


class CallFilter(AuditedFilterSet):
    object_types = ("grants.call",)
    updated_since = UpdatedSince()
    program = django_filters.CharFilter(field_name="program__code", label=_("Program code"))

    class Meta:
        model = Call
        fields = ["program", "updated_since"]


class AwardFilter(AuditedFilterSet):
    updated_since = UpdatedSince()
    program = django_filters.CharFilter(field_name="application__call__program__code", label=_("Program code"))
    fiscal_year = django_filters.NumberFilter(field_name="fiscal_year", label=_("Fiscal year (starting year)"))

    class Meta:
        model = Award
        fields = ["program", "fiscal_year", "updated_since"]

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(selectors.award_changed_since(value))


class PaymentFilter(AuditedFilterSet):
    object_types = ("finance.paymentinstruction",)
    fiscal_quarter = FiscalQuarterFilter(
        method="filter_fiscal_quarter", label=_("Paid in the fiscal quarter (FY2025-26-Q1)")
    )
    program = django_filters.CharFilter(field_name="application__call__program__code", label=_("Program code"))
    state = django_filters.MultipleChoiceFilter(choices=PaymentState.choices)
    district = django_filters.ChoiceFilter(field_name="space__district", choices=DISTRICT_CHOICES)
    division = django_filters.ChoiceFilter(field_name="space__division", choices=DIVISION_CHOICES)
    updated_since = UpdatedSince()

    class Meta:
        model = PaymentInstruction
        fields = ["fiscal_quarter", "program", "state", "district", "division", "updated_since"]

    def filter_fiscal_quarter(self, queryset, name, value: FiscalQuarter):
        # As the quarterly disbursements workbook counts a quarter: paid_at within it, Pakistan time.
        start, end = quarter_bounds(value)
        if connection.vendor == "sqlite":
            # Pages go in id order. SQLite would read the whole quarter through the paid_at index and
            # sort it for every page (seconds a page at a million rows); a unary + keeps the index out,
            # so it walks the primary key and stops at the page's end (bench/api.py). PostgreSQL
            # weighs the LIMIT itself.
            scan = Func(F("paid_at"), template="+%(expressions)s", output_field=DateTimeField())
            return queryset.alias(paid_at_scan=scan).filter(paid_at_scan__gte=start, paid_at_scan__lt=end)
        return queryset.filter(paid_at__gte=start, paid_at__lt=end)


class UtilizationReturnFilter(AuditedFilterSet):
    object_types = ("spaces.utilizationreturn",)
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label=_("From the month of"))
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label=_("Up to the month of"))
    space = django_filters.CharFilter(field_name="space__code", label=_("Space code"))
    district = django_filters.ChoiceFilter(field_name="space__district", choices=DISTRICT_CHOICES)
    updated_since = UpdatedSince()

    class Meta:
        model = UtilizationReturn
        fields = ["month_from", "month_to", "space", "district", "updated_since"]

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(filed_at__gte=value) | queryset.filter(selectors.changed_since(value, self.object_types))


class SpaceFilter(django_filters.FilterSet):
    district = django_filters.ChoiceFilter(choices=DISTRICT_CHOICES)
    division = django_filters.ChoiceFilter(choices=DIVISION_CHOICES)
    network_status = django_filters.ChoiceFilter(choices=Space.NetworkStatus.choices)
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Changed at or after (ISO 8601)")
    )

    class Meta:
        model = Space
        fields = ["district", "division", "network_status", "updated_since"]


class LoanPositionFilter(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="application__call__program__code", label=_("Program code"))
    district = django_filters.ChoiceFilter(field_name="application__space__district", choices=DISTRICT_CHOICES)
    state = django_filters.ChoiceFilter(choices=LoanState.choices)

    class Meta:
        model = Loan
        fields = ["program", "district", "state"]


class BatchFilter(django_filters.FilterSet):
    sent_since = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte")

    class Meta:
        model = PaymentBatch
        fields = ["sent_since"]
