"""Applications: the operator portal (/portal/applications/), the officers' workbench (/workbench/),
the private document download, and the notifications list (notifications/urls.py, included here so
the project's urls.py needs one line for all of them)."""

from django.urls import include, path

from . import views, views_workbench

app_name = "grants"

portal = [
    path("", views.applications, name="portal_applications"),
    path("calls/", views.calls, name="portal_calls"),
    path("start/", views.application_start, name="portal_start"),
    path("<str:reference>/", views.application_page, name="portal_application"),
    path("<str:reference>/tasks/", views.application_tasks, name="portal_tasks"),
    path("<str:reference>/sections/<slug:section>/", views.application_section, name="portal_section"),
    path("<str:reference>/documents/", views.application_documents, name="portal_documents"),
    path("<str:reference>/documents/<int:pk>/remove/", views.document_remove, name="portal_document_remove"),
    path("<str:reference>/check/", views.application_check, name="portal_check"),
    path("<str:reference>/submit/", views.application_submit, name="portal_submit"),
    path("<str:reference>/submitted/", views.application_confirmation, name="portal_confirmation"),
    path("<str:reference>/answer/", views.application_answer, name="portal_answer"),
    path("<str:reference>/withdraw/", views.application_withdraw, name="portal_withdraw"),
]

workbench = [
    path("", views_workbench.queue, name="workbench"),
    path("applications/<str:reference>/", views_workbench.application_page, name="workbench_application"),
    path(
        "applications/<str:reference>/start-screening/",
        views_workbench.start_screening,
        name="workbench_start_screening",
    ),
    path(
        "applications/<str:reference>/request-information/",
        views_workbench.request_information,
        name="workbench_request_information",
    ),
    path("applications/<str:reference>/screen-out/", views_workbench.screen_out, name="workbench_screen_out"),
    path(
        "applications/<str:reference>/send-to-review/",
        views_workbench.send_to_review,
        name="workbench_send_to_review",
    ),
]

urlpatterns = [
    path("portal/applications/", include(portal)),
    path("workbench/", include(workbench)),
    path(
        "applications/<str:reference>/documents/<int:pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path("notifications/", include("notifications.urls")),
]
