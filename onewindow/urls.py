"""One-window pages (onewindow/views/requests.py)."""

from django.urls import path

from .views import requests as views

app_name = "onewindow"

urlpatterns = [
    path("services/", views.catalogue, name="catalogue"),
    path("services/<slug:code>/", views.service_detail, name="service_detail"),
    path("portal/one-window/", views.portal_requests, name="portal_requests"),
    path("portal/one-window/new/<slug:code>/", views.request_new, name="request_new"),
    path("portal/one-window/bundle/<slug:code>/", views.bundle_start, name="bundle_start"),
    path("desk/one-window/", views.desk_queue, name="desk_queue"),
    path("one-window/late/", views.late_cases, name="late_cases"),
    path("one-window/<str:reference>/", views.request_detail, name="request_detail"),
    path("one-window/<str:reference>/answers/", views.request_answers, name="request_answers"),
    path("one-window/<str:reference>/documents/", views.request_attach, name="request_attach"),
    path("one-window/<str:reference>/documents/<int:pk>/", views.document_download, name="document_download"),
    path("one-window/<str:reference>/submit/", views.request_submit, name="request_submit"),
    path("one-window/<str:reference>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("one-window/<str:reference>/answer/", views.request_answer, name="request_answer"),
    path("one-window/<str:reference>/start/", views.request_start, name="request_start"),
    path("one-window/<str:reference>/ask/", views.request_ask, name="request_ask"),
    path("one-window/<str:reference>/issue/", views.request_issue, name="request_issue"),
    path("one-window/<str:reference>/refuse/", views.request_refuse, name="request_refuse"),
    path("one-window/<str:reference>/certificates/<int:pk>/", views.certificate_download, name="certificate_download"),
    path(
        "one-window/<str:reference>/certificates/<int:pk>/correct/",
        views.certificate_correct,
        name="certificate_correct",
    ),
]
