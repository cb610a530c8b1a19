"""Officers' registry pages, under /workbench/operators/."""

from django.urls import path

from . import views_workbench

app_name = "workbench_operators"

urlpatterns = [
    path("", views_workbench.operator_queue, name="list"),
    path("<int:pk>/verify/", views_workbench.operator_verify_view, name="verify"),
    path("spaces/", views_workbench.space_queue, name="spaces"),
    path("spaces/<int:pk>/admission/", views_workbench.space_admission_view, name="space_admission"),
]
