"""The operator portal (/portal/)."""

from django.urls import path

from . import views, views_utilization

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("company/register/", views.operator_register_view, name="operator_register"),
    path("company/<int:pk>/", views.operator_detail, name="operator_detail"),
    path("company/<int:pk>/edit/", views.operator_update_view, name="operator_update"),
    path("company/<int:pk>/spaces/add/", views.space_create_view, name="space_create"),
    path("spaces/<int:pk>/", views.space_detail, name="space_detail"),
    path("spaces/<int:pk>/edit/", views.space_update_view, name="space_update"),
    path(
        "spaces/<int:pk>/utilization/<int:year>-<int:month>/",
        views_utilization.return_form,
        name="utilization_return",
    ),
    path("utilization/", views_utilization.overview, name="utilization"),
    path("utilization/template/", views_utilization.template_download, name="utilization_template"),
    path("utilization/upload/", views_utilization.upload, name="utilization_upload"),
    path("utilization/upload/confirm/", views_utilization.upload_confirm, name="utilization_upload_confirm"),
]
