"""Filters of the loan pages (django-filter): the form a page renders and the queryset a selector returns."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import SERVICING_STATES, ArrearsBucket, Loan, LoanState


class LoanBookFilter(django_filters.FilterSet):
    """The loan book's filters, `?state=<state>&bucket=<arrears bucket>`. An arrears bucket means a loan
    being serviced (a closed or written-off loan keeps its last bucket but is in none). A value that is
    not one of the choices is shown as an error on the form and the book is left unfiltered."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=LoanState.choices, empty_label=_("Any state"))
    bucket = django_filters.ChoiceFilter(
        label=_("Arrears"), choices=ArrearsBucket.choices, empty_label=_("Any arrears"), method="filter_bucket"
    )

    class Meta:
        model = Loan
        fields = ["state", "bucket"]

    def filter_bucket(self, queryset, name, value):
        return queryset.filter(arrears_bucket=value, state__in=SERVICING_STATES)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.form.is_valid() else queryset
