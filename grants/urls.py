"""Applications: the operator portal (/portal/applications/), the officers' workbench (/workbench/),
the private document download, and the notifications list (notifications/urls.py, included here so
the project's urls.py needs one line for all of them)."""

from django.urls import include, path

from . import views

app_name = "grants"

portal = [
    path("", views.applications.applications, name="portal_applications"),
    path("calls/", views.programs.calls, name="portal_calls"),
    path("start/", views.applications.application_start, name="portal_start"),
    path("<str:reference>/", views.applications.application_page, name="portal_application"),
    path("<str:reference>/tasks/", views.application_sections.application_tasks, name="portal_tasks"),
    path(
        "<str:reference>/sections/<slug:section>/",
        views.application_sections.application_section,
        name="portal_section",
    ),
    path("<str:reference>/documents/", views.application_sections.application_documents, name="portal_documents"),
    path(
        "<str:reference>/documents/reuse/",
        views.application_sections.application_reuse_document,
        name="portal_documents_reuse",
    ),
    path(
        "<str:reference>/documents/<int:pk>/remove/",
        views.application_sections.document_remove,
        name="portal_document_remove",
    ),
    path("<str:reference>/check/", views.applications.application_check, name="portal_check"),
    path("<str:reference>/submit/", views.applications.application_submit, name="portal_submit"),
    path("<str:reference>/submitted/", views.applications.application_confirmation, name="portal_confirmation"),
    path("<str:reference>/answer/", views.applications.application_answer, name="portal_answer"),
    path("<str:reference>/withdraw/", views.applications.application_withdraw, name="portal_withdraw"),
    path("<str:reference>/award-letter/", views.decisions.award_letter, name="portal_award_letter"),
    path("<str:reference>/award/accept/", views.decisions.award_accept, name="portal_award_accept"),
    # Paying the award: grant tranches and utility claims (grants/views/payments.py).
    path(
        "<str:reference>/tranches/<int:position>/request/",
        views.payments.tranche_request,
        name="portal_tranche_request",
    ),
    path("<str:reference>/claims/new/", views.payments.claim_new, name="portal_claim_new"),
    # Many bills in one upload: the template, the preview, the confirmation (grants/views/claim_upload.py).
    path("<str:reference>/claims/template.xlsx", views.claim_upload.claims_template, name="portal_claims_template"),
    path("<str:reference>/claims/upload/", views.claim_upload.claims_upload, name="portal_claims_upload"),
    path(
        "<str:reference>/claims/upload/confirm/",
        views.claim_upload.claims_upload_confirm,
        name="portal_claims_upload_confirm",
    ),
]

workbench = [
    path("", views.workbench.queue, name="workbench"),
    path("applications/<str:reference>/", views.workbench.application_page, name="workbench_application"),
    path(
        "applications/<str:reference>/start-screening/",
        views.workbench.start_screening,
        name="workbench_start_screening",
    ),
    path(
        "applications/<str:reference>/request-information/",
        views.workbench.request_information,
        name="workbench_request_information",
    ),
    path("applications/<str:reference>/screen-out/", views.workbench.screen_out, name="workbench_screen_out"),
    path(
        "applications/<str:reference>/send-to-review/",
        views.workbench.send_to_review,
        name="workbench_send_to_review",
    ),
    path(
        "applications/<str:reference>/reviewers/",
        views.reviews.assign_reviewers,
        name="workbench_assign_reviewers",
    ),
    path(
        "applications/<str:reference>/approve/",
        views.decisions.approve_delegated,
        name="workbench_approve_delegated",
    ),
    # Board reviewers: their own reviews only.
    path("reviews/", views.reviews.review_queue, name="workbench_reviews"),
    path("reviews/<str:reference>/", views.reviews.review_page, name="workbench_review"),
    path("reviews/<str:reference>/declare/", views.reviews.review_declare, name="workbench_review_declare"),
    path("reviews/<str:reference>/submit/", views.reviews.review_submit, name="workbench_review_submit"),
    # The board chair.
    path("board/", views.decisions.agenda, name="workbench_board_agenda"),
    path("board/meetings/new/", views.decisions.meeting_new, name="workbench_board_meeting_new"),
    path("board/meetings/<int:pk>/", views.decisions.meeting_page, name="workbench_board_meeting"),
    path(
        "board/meetings/<int:pk>/decide/<str:reference>/",
        views.decisions.decision_record,
        name="workbench_board_decision",
    ),
    path("budget/", views.programs.budget, name="workbench_budget"),
    # The award's end and its money (issue #22): officers and the board.
    path("awards/", views.awards.awards, name="workbench_awards"),
    path("awards/<str:sanction>/", views.awards.award_page, name="workbench_award"),
    path("awards/<str:sanction>/complete/", views.awards.award_complete, name="workbench_award_complete"),
    path("awards/<str:sanction>/release/", views.awards.award_release, name="workbench_award_release"),
    path("awards/<str:sanction>/recommit/", views.awards.award_recommit, name="workbench_award_recommit"),
    path(
        "awards/<str:sanction>/termination/propose/",
        views.awards.termination_propose,
        name="workbench_award_termination_propose",
    ),
    path(
        "awards/<str:sanction>/termination/confirm/",
        views.awards.termination_confirm,
        name="workbench_award_termination_confirm",
    ),
    path(
        "awards/<str:sanction>/termination/withdraw/",
        views.awards.termination_withdraw,
        name="workbench_award_termination_withdraw",
    ),
    # Tranches and utility claims to verify.
    path("payments-to-verify/", views.payments.verify_queue, name="workbench_payments_queue"),
    path(
        "applications/<str:reference>/tranches/<int:position>/",
        views.payments.tranche_page,
        name="workbench_tranche",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/verify/",
        views.payments.tranche_verify,
        name="workbench_tranche_verify",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/return/",
        views.payments.tranche_return,
        name="workbench_tranche_return",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/pay-again/",
        views.payments.tranche_pay_again,
        name="workbench_tranche_pay_again",
    ),
    path("claims/<int:pk>/", views.payments.claim_page, name="workbench_claim"),
    path("claims/<int:pk>/pay-again/", views.payments.claim_pay_again, name="workbench_claim_pay_again"),
    path("claims/<int:pk>/verify/", views.payments.claim_verify, name="workbench_claim_verify"),
    path("claims/<int:pk>/approve/", views.payments.claim_approve, name="workbench_claim_approve"),
    path("claims/<int:pk>/reject/", views.payments.claim_reject, name="workbench_claim_reject"),
]

urlpatterns = [
    path("portal/applications/", include(portal)),
    path("workbench/", include(workbench)),
    path(
        "applications/<str:reference>/documents/<int:pk>/download/",
        views.applications.document_download,
        name="document_download",
    ),
    path(
        "applications/<str:reference>/tranches/<int:position>/evidence/<int:pk>/download/",
        views.payments.evidence_download,
        name="tranche_evidence_download",
    ),
    path(
        "applications/<str:reference>/claims/<int:pk>/bill/",
        views.payments.claim_bill_download,
        name="claim_bill_download",
    ),
    path("notifications/", include("notifications.urls")),
    # Public: anyone holding an award letter can check it.
    path("verify/award/<str:code>/", views.decisions.verify_award, name="verify_award"),
]
