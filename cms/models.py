"""Wagtail pages of the public site. Content only: the grant lifecycle never lives on pages.

Program and call pages point at a grants.Program / grants.Call and read their facts (amounts, dates,
required documents, the call's status) from there; the pages add the words around them. Every page
keeps its Urdu text in `_ur` fields on an "Urdu" tab (see cms/localized.py for why).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList, TabbedInterface
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from .blocks import faq_blocks, home_blocks, program_blocks, text_blocks
from .forms import CallPageForm
from .localized import Localizable

URDU_INPUT = {"dir": "rtl", "lang": "ur"}


def _title_ur():
    return models.CharField(
        _("title (Urdu)"), max_length=255, blank=True, help_text=_("Leave empty to show the English title.")
    )


def _intro(verbose_name=None):
    return models.TextField(verbose_name or _("introduction"), max_length=500, blank=True)


def _urdu_tab(*panels):
    return ObjectList(
        [FieldPanel("title_ur", widget=forms.TextInput(attrs=URDU_INPUT)), *panels], heading=_("Urdu (اردو)")
    )


def _urdu_text_panel(name):
    return FieldPanel(name, widget=forms.Textarea(attrs={**URDU_INPUT, "rows": 3}))


def _tabs(content, urdu, *, promote=None, settings=None):
    return TabbedInterface(
        [
            ObjectList(content, heading=_("English")),
            urdu,
            ObjectList(promote or Page.promote_panels, heading=_("Promote")),
            ObjectList(settings or Page.settings_panels, heading=_("Settings")),
        ]
    )


class HomePage(Localizable, Page):
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = StreamField(home_blocks(), blank=True, use_json_field=True, verbose_name=_("body"))
    contact = RichTextField(_("contact"), blank=True, features=["bold", "italic", "link"])

    title_ur = _title_ur()
    intro_ur = models.CharField(_("introduction (Urdu)"), max_length=300, blank=True)
    body_ur = StreamField(home_blocks(), blank=True, use_json_field=True, verbose_name=_("body (Urdu)"))
    contact_ur = RichTextField(_("contact (Urdu)"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body"), FieldPanel("contact")]
    edit_handler = _tabs(
        content_panels,
        _urdu_tab(
            FieldPanel("intro_ur", widget=forms.TextInput(attrs=URDU_INPUT)),
            FieldPanel("body_ur"),
            FieldPanel("contact_ur"),
        ),
    )

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import open_call_pages

        context = super().get_context(request, *args, **kwargs)
        context["open_calls"] = open_call_pages()
        return context


class SectionPage(Localizable, Page):
    """A one-of-a-kind section of the site under the home page (programs, news, the directory, the
    performance page, the award register): an introduction in English and Urdu, and its own content."""

    intro = _intro()
    title_ur = _title_ur()
    intro_ur = _intro(_("introduction (Urdu)"))

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    edit_handler = _tabs(content_panels, _urdu_tab(_urdu_text_panel("intro_ur")))

    parent_page_types = ["cms.HomePage"]
    max_count = 1

    class Meta:
        abstract = True


class ProgramIndexPage(SectionPage):
    subpage_types = ["cms.ProgramPage"]

    class Meta:
        verbose_name = _("programs index")

    def get_context(self, request, *args, **kwargs):
        from .selectors import program_pages_with_calls

        context = super().get_context(request, *args, **kwargs)
        context["programs"] = program_pages_with_calls(self)
        return context


class ProgramPage(Localizable, Page):
    """A funding program as the public reads it: who can apply, benefits, documents, rubric, FAQs."""

    program = models.ForeignKey(
        "grants.Program", on_delete=models.PROTECT, related_name="pages", verbose_name=_("program")
    )
    intro = _intro(_("summary"))
    body = StreamField(program_blocks(), blank=True, use_json_field=True, verbose_name=_("body"))
    title_ur = _title_ur()
    intro_ur = _intro(_("summary (Urdu)"))
    body_ur = StreamField(program_blocks(), blank=True, use_json_field=True, verbose_name=_("body (Urdu)"))

    content_panels = [*Page.content_panels, FieldPanel("program"), FieldPanel("intro"), FieldPanel("body")]
    edit_handler = _tabs(content_panels, _urdu_tab(_urdu_text_panel("intro_ur"), FieldPanel("body_ur")))

    parent_page_types = ["cms.ProgramIndexPage"]
    subpage_types = ["cms.CallPage"]

    class Meta:
        verbose_name = _("program page")

    def urdu_from_data(self) -> dict[str, str]:
        return {"title": self.program.name_ur}

    def get_context(self, request, *args, **kwargs):
        from .selectors import call_pages_with_status

        context = super().get_context(request, *args, **kwargs)
        context["calls"] = call_pages_with_status(self)
        if self.program.instrument == "seat_voucher":
            # A seat-voucher program opens rounds for freelancers, not calls (issue #18).
            from vouchers.selectors import open_rounds

            context["voucher_rounds"] = open_rounds().filter(program=self.program)
        return context


class CallPage(Localizable, Page):
    """One call for applications. Dates and status come from the Call; it lives under its program page."""

    call = models.ForeignKey("grants.Call", on_delete=models.PROTECT, related_name="pages", verbose_name=_("call"))
    intro = _intro()
    body = StreamField(text_blocks(), blank=True, use_json_field=True, verbose_name=_("body"))
    title_ur = _title_ur()
    intro_ur = _intro(_("introduction (Urdu)"))
    body_ur = StreamField(text_blocks(), blank=True, use_json_field=True, verbose_name=_("body (Urdu)"))

    content_panels = [*Page.content_panels, FieldPanel("call"), FieldPanel("intro"), FieldPanel("body")]
    edit_handler = _tabs(content_panels, _urdu_tab(_urdu_text_panel("intro_ur"), FieldPanel("body_ur")))
    base_form_class = CallPageForm

    parent_page_types = ["cms.ProgramPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("call page")

    def urdu_from_data(self) -> dict[str, str]:
        return {"title": self.call.title_ur}

    def clean(self):
        super().clean()
        # The admin form refuses a call of another program; this also holds for pages made in code.
        parent = self.get_parent() if self.path else None
        program_id = getattr(parent.specific, "program_id", None) if parent is not None else None
        if program_id is not None and self.call_id and self.call.program_id != program_id:
            raise ValidationError({"call": _("This call belongs to another program than its program page.")})

    def get_context(self, request, *args, **kwargs):
        from .call_status import call_status

        context = super().get_context(request, *args, **kwargs)
        context["status"] = call_status(self.call)
        context["program_page"] = self.get_parent().specific
        return context


class NewsIndexPage(SectionPage):
    subpage_types = ["cms.NewsPage"]
    per_page = 10

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = NewsPage.objects.live().child_of(self).order_by("-date", "-pk")
        context["page_obj"] = Paginator(items, self.per_page).get_page(request.GET.get("page"))
        return context


class NewsPage(Localizable, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = _intro()
    body = RichTextField(_("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])
    title_ur = _title_ur()
    intro_ur = _intro(_("introduction (Urdu)"))
    body_ur = RichTextField(_("body (Urdu)"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = [*Page.content_panels, FieldPanel("date"), FieldPanel("intro"), FieldPanel("body")]
    edit_handler = _tabs(content_panels, _urdu_tab(_urdu_text_panel("intro_ur"), FieldPanel("body_ur")))

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class FaqPage(Localizable, Page):
    intro = _intro()
    questions = StreamField(faq_blocks(), blank=True, use_json_field=True, verbose_name=_("questions"))
    title_ur = _title_ur()
    intro_ur = _intro(_("introduction (Urdu)"))
    questions_ur = StreamField(faq_blocks(), blank=True, use_json_field=True, verbose_name=_("questions (Urdu)"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("questions")]
    edit_handler = _tabs(content_panels, _urdu_tab(_urdu_text_panel("intro_ur"), FieldPanel("questions_ur")))

    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("questions and answers page")


class SpaceDirectoryPage(SectionPage):
    """The directory of active network spaces, filtered by a GET form (no JavaScript needed).

    A page rather than a plain view so that editors write its introduction (in both languages) and
    place it in the menu like any other page; the list itself is read from spaces by a selector.
    """

    subpage_types = []

    class Meta:
        verbose_name = _("space directory")

    def get_context(self, request, *args, **kwargs):
        from .forms import DirectoryFilterForm
        from .map import map_points
        from .selectors import directory_spaces

        context = super().get_context(request, *args, **kwargs)
        form = DirectoryFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            spaces, filters = [], {}  # the error summary says what to change; no list that ignores the filter
        else:
            filters = form.cleaned_data if form.is_bound else {}
            spaces = list(directory_spaces(division=filters.get("division", ""), district=filters.get("district", "")))
        # The inspection burden of each space this fiscal year (integrity: registered visits only).
        from grants.fiscal import FiscalYear
        from integrity.selectors.visits import burden_of_spaces

        fiscal_year = FiscalYear.current()
        spaces = list(spaces)
        burdens = burden_of_spaces([space.pk for space in spaces], fiscal_year.start_year)
        for space in spaces:
            space.visit_burden = burdens[space.pk]
        context.update(
            form=form,
            spaces=spaces,
            filtered=bool(filters.get("division") or filters.get("district")),
            seats=sum(space.seats_offered for space in spaces),
            map=map_points(spaces),
            fiscal_year=fiscal_year,
        )
        return context


class PerformancePage(SectionPage):
    """Per program: how many applications are in each stage and the median days each stage takes; and
    per department and service, the one window's requests and how fast they were decided."""

    subpage_types = []

    class Meta:
        verbose_name = _("performance page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import one_window_performance, program_performance

        context = super().get_context(request, *args, **kwargs)
        context["programs"] = program_performance()
        # The one window: this fiscal year by default, all time on ?one_window=all.
        context["one_window"] = one_window_performance(all_time=request.GET.get("one_window") == "all")
        # Seat vouchers (issue #18): counts only, never a person.
        from vouchers.selectors import public_figures

        context["vouchers"] = public_figures()
        return context


class AwardRegisterPage(SectionPage):
    """Every public award: recipient, district, program, instrument, amount and date, with a GET
    filter and sort (no JavaScript needed) and links to the same data as 360Giving open data."""

    subpage_types = []
    per_page = 50

    class Meta:
        verbose_name = _("award register")

    def get_context(self, request, *args, **kwargs):
        from django.db.models import Count, Sum

        from .forms import AwardFilterForm
        from .selectors import award_places, public_awards

        context = super().get_context(request, *args, **kwargs)
        form = AwardFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            awards, filters = None, {}
        else:
            filters = form.cleaned_data if form.is_bound else {}
            awards = public_awards(
                program=filters.get("program"),
                instrument=filters.get("instrument", ""),
                division=filters.get("division", ""),
                district=filters.get("district", ""),
                sort=filters.get("sort") or "date_desc",
            )
        page_obj, totals = None, {"count": 0, "total": None}
        if awards is not None:
            totals = awards.order_by().aggregate(count=Count("pk"), total=Sum("amount"))
            page_obj = Paginator(awards, self.per_page).get_page(request.GET.get("page"))
            for award in page_obj:
                award.places = award_places(award)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            page_obj=page_obj,
            totals=totals,
            filtered=any(filters.get(name) for name in ("program", "instrument", "division", "district")),
            query=query.urlencode(),
        )
        return context
