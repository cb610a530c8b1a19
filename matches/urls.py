"""The duplicate-check workbench (/workbench/matches/)."""

from django.urls import path

from . import views

app_name = "matches"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("export.csv", views.export, name="export"),
    path("<int:pk>/", views.match, name="match"),
    path("<int:pk>/clear/", views.clear, name="clear"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
]
