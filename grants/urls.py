"""Applications: the operator portal (/portal/applications/), the officers' workbench (/workbench/),
the private document download, and the notifications list (notifications/urls.py, included here so
the project's urls.py needs one line for all of them)."""

from django.urls import include, path

from . import views, views_payments, views_review, views_workbench

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
    path("<str:reference>/award-letter/", views_review.award_letter, name="portal_award_letter"),
    path("<str:reference>/award/accept/", views_review.award_accept, name="portal_award_accept"),
    # Paying the award: grant tranches and utility claims (grants/views_payments.py).
    path(
        "<str:reference>/tranches/<int:position>/request/",
        views_payments.tranche_request,
        name="portal_tranche_request",
    ),
    path("<str:reference>/claims/new/", views_payments.claim_new, name="portal_claim_new"),
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
    path(
        "applications/<str:reference>/reviewers/",
        views_review.assign_reviewers,
        name="workbench_assign_reviewers",
    ),
    path(
        "applications/<str:reference>/approve/",
        views_review.approve_delegated,
        name="workbench_approve_delegated",
    ),
    # Board reviewers: their own reviews only.
    path("reviews/", views_review.review_queue, name="workbench_reviews"),
    path("reviews/<str:reference>/", views_review.review_page, name="workbench_review"),
    path("reviews/<str:reference>/declare/", views_review.review_declare, name="workbench_review_declare"),
    path("reviews/<str:reference>/submit/", views_review.review_submit, name="workbench_review_submit"),
    # The board chair.
    path("board/", views_review.agenda, name="workbench_board_agenda"),
    path("board/meetings/new/", views_review.meeting_new, name="workbench_board_meeting_new"),
    path("board/meetings/<int:pk>/", views_review.meeting_page, name="workbench_board_meeting"),
    path(
        "board/meetings/<int:pk>/decide/<str:reference>/",
        views_review.decision_record,
        name="workbench_board_decision",
    ),
    path("budget/", views_review.budget, name="workbench_budget"),
    # Tranches and utility claims to verify.
    path("payments-to-verify/", views_payments.verify_queue, name="workbench_payments_queue"),
    path(
        "applications/<str:reference>/tranches/<int:position>/",
        views_payments.tranche_page,
        name="workbench_tranche",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/verify/",
        views_payments.tranche_verify,
        name="workbench_tranche_verify",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/return/",
        views_payments.tranche_return,
        name="workbench_tranche_return",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/pay-again/",
        views_payments.tranche_pay_again,
        name="workbench_tranche_pay_again",
    ),
    path("claims/<int:pk>/", views_payments.claim_page, name="workbench_claim"),
    path("claims/<int:pk>/pay-again/", views_payments.claim_pay_again, name="workbench_claim_pay_again"),
    path("claims/<int:pk>/verify/", views_payments.claim_verify, name="workbench_claim_verify"),
    path("claims/<int:pk>/approve/", views_payments.claim_approve, name="workbench_claim_approve"),
    path("claims/<int:pk>/reject/", views_payments.claim_reject, name="workbench_claim_reject"),
]

urlpatterns = [
    path("portal/applications/", include(portal)),
    path("workbench/", include(workbench)),
    path(
        "applications/<str:reference>/documents/<int:pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/evidence/<int:pk>/download/",
        views_payments.evidence_download,
        name="tranche_evidence_download",
    ),
    path(
        "applications/<str:reference>/claims/<int:pk>/bill/",
        views_payments.claim_bill_download,
        name="claim_bill_download",
    ),
    path("notifications/", include("notifications.urls")),
    # Public: anyone holding an award letter can check it.
    path("verify/award/<str:code>/", views_review.verify_award, name="verify_award"),
]
