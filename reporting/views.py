"""The download centre (/reports/) and the ministry dashboard (/reports/dashboard/).

For ministry viewers and program officers; everyone else gets 403. Files live under REPORTS_ROOT,
outside every served directory, and leave only through `download`, which checks who asks.
"""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grants.fiscal import FiscalQuarter
from spaces.utilization import last_closed_month

from . import selectors
from .charts import trend_svg
from .forms import ReportRequestForm
from .models import ReportJob
from .services import ReportError, may_use_reports, report_file, report_job_request

TREND_MONTHS = 15


def reports_view(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_use_reports(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _jobs():
    return ReportJob.objects.select_related("requested_by").order_by("-created_at", "-pk")


@reports_view
@require_GET
def download_centre(request):
    jobs = list(_jobs()[:50])
    return render(
        request,
        "reporting/centre.html",
        {
            "form": ReportRequestForm(),
            "active": [j for j in jobs if j.is_active],
            "finished": [j for j in jobs if not j.is_active],
            "refresh": any(j.is_active for j in jobs),
        },
    )


@reports_view
@require_POST
def start(request):
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        jobs = list(_jobs()[:50])
        return render(
            request,
            "reporting/centre.html",
            {
                "form": form,
                "active": [j for j in jobs if j.is_active],
                "finished": [j for j in jobs if not j.is_active],
            },
            status=400,
        )
    try:
        job, created = report_job_request(
            actor=request.user,
            kind=form.cleaned_data["report"],
            quarter=form.cleaned_data["quarter"],
            fmt=form.cleaned_data["format"],
        )
    except ReportError as error:
        messages.error(request, error.message)
        return redirect("reporting:centre")
    if not created:
        messages.info(request, _("This report is already being built; you are following that build."))
    return redirect("reporting:job", pk=job.pk)


@reports_view
@require_GET
def job_detail(request, pk):
    job = get_object_or_404(_jobs(), pk=pk)
    if request.GET.get("status"):
        return JsonResponse({"state": job.state, "progress": job.progress})
    return render(request, "reporting/job.html", {"job": job, "refresh": job.is_active})


@reports_view
@require_GET
def download(request, pk):
    job = get_object_or_404(ReportJob, pk=pk, state=ReportJob.State.DONE)
    try:
        path = report_file(job)
    except FileNotFoundError:
        raise Http404(_("The file of this report is no longer kept; build it again.")) from None
    content_type = (
        "application/pdf"
        if job.format == ReportJob.Format.PDF
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.download_name, content_type=content_type)


@reports_view
@require_GET
def dashboard(request):
    today = timezone.localdate()
    current = FiscalQuarter.of(today)
    previous = FiscalQuarter.of(current.start - dt.timedelta(days=1))
    now_totals = selectors.network_total(current.start, current.end)
    before_totals = selectors.network_total(previous.start, previous.end)
    trend = selectors.monthly_trend(last_closed_month(today), TREND_MONTHS)
    points = [(date_format(t.label[0], "M y"), t.occupancy, t.utilization) for t in trend]
    return render(
        request,
        "reporting/dashboard.html",
        {
            "current": current,
            "previous": previous,
            "now": now_totals,
            "before": before_totals,
            "trend": trend,
            "chart": trend_svg(
                points,
                title=_("Network occupancy and utilization, last %(n)s months") % {"n": TREND_MONTHS},
                labels=(_("Occupancy"), _("Utilization")),
            ),
            "divisions": selectors.totals_by(current.start, current.end, "space__division")
            if now_totals.returns
            else selectors.totals_by(previous.start, previous.end, "space__division"),
            "divisions_quarter": current if now_totals.returns else previous,
        },
    )
