from django.urls import path

from audit.views import audit_head_json

from . import views

app_name = "cms"

urlpatterns = [
    path("open-data/awards.json", views.awards_json, name="open_data_json"),
    path("open-data/awards.csv", views.awards_csv, name="open_data_csv"),
    path("open-data/awards.xlsx", views.awards_xlsx, name="open_data_xlsx"),
    path("open-data/audit-head.json", audit_head_json, name="open_data_audit_head"),
]
