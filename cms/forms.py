from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from spaces.geography import DISTRICT_CHOICES, DIVISION_CHOICES, DIVISION_OF, place_label


class DirectoryFilterForm(forms.Form):
    """The space directory's GET filter: a division, a district, or both (then they must agree)."""

    division = forms.ChoiceField(label=_("Division"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [("", _("All divisions")), *DIVISION_CHOICES]
        # Grouped by division so a sighted user and a screen reader both hear where a district lies.
        self.fields["district"].choices = [("", _("All districts")), *DISTRICT_CHOICES]

    def clean(self):
        data = super().clean()
        division, district = data.get("division"), data.get("district")
        if division and district and DIVISION_OF[district] != division:
            self.add_error(
                "district",
                _("%(district)s is in %(right)s division, not %(given)s.")
                % {
                    "district": place_label(district),
                    "right": place_label(DIVISION_OF[district]),
                    "given": place_label(division),
                },
            )
        return data


class _ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name  # the Urdu name on an Urdu page


class AwardFilterForm(DirectoryFilterForm):
    """The award register's GET filter and sort: program, instrument, division, district."""

    SORT_CHOICES = [
        ("date_desc", _("Newest first")),
        ("date_asc", _("Oldest first")),
        ("amount_desc", _("Largest amount first")),
        ("amount_asc", _("Smallest amount first")),
    ]

    program = _ProgramChoiceField(label=_("Program"), queryset=None, required=False, empty_label=_("All programs"))
    instrument = forms.ChoiceField(label=_("Instrument"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    field_order = ["program", "instrument", "division", "district", "sort"]

    def __init__(self, *args, **kwargs):
        from grants.models import Program

        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.order_by("name")
        self.fields["instrument"].choices = [("", _("All instruments")), *Program.Instrument.choices]


class CallPageForm(WagtailAdminPageForm):
    """A call page offers only the calls of its program page's program, and refuses any other."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        program = self._parent_program()
        if program is not None and "call" in self.fields:
            self.fields["call"].queryset = self.fields["call"].queryset.filter(program=program)

    def _parent_program(self):
        parent = getattr(self, "parent_page", None)
        specific = parent.specific if parent is not None else None
        return getattr(specific, "program", None)

    def clean(self):
        data = super().clean()
        program, call = self._parent_program(), data.get("call")
        if program is not None and call is not None and call.program_id != program.pk:
            self.add_error(
                "call",
                _("Choose a call of %(program)s: this page lives under its program page.") % {"program": program.name},
            )
        return data
