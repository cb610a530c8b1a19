"""The ministry's download centre and dashboard (/reports/), and — mounted here so the project's
urls.py needs one line for this issue — the officers' list of spaces that have not filed their
utilization return (/workbench/utilization/, owned by spaces)."""

from django.urls import include, path

from . import views

reports = (
    [
        path("", views.download_centre, name="centre"),
        path("start/", views.start, name="start"),
        path("jobs/<int:pk>/", views.job_detail, name="job"),
        path("jobs/<int:pk>/download/", views.download, name="download"),
        path("dashboard/", views.dashboard, name="dashboard"),
    ],
    "reporting",
)

urlpatterns = [
    path("reports/", include(reports)),
    path("workbench/utilization/", include("spaces.urls_utilization_workbench")),
]
