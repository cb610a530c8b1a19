"""Officers' list of active spaces that have not filed a utilization return (/workbench/utilization/)."""

from django.urls import path

from . import views_utilization

app_name = "workbench_utilization"

urlpatterns = [path("", views_utilization.missing_returns, name="missing")]
