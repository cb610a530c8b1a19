from django.urls import path

from . import views

app_name = "loans"

urlpatterns = [
    # Operators (portal)
    path("portal/loans/", views.portal_loans, name="portal_loans"),
    path("portal/loans/calculator/", views.calculator, name="calculator"),
    path("portal/loans/<int:pk>/", views.portal_loan, name="portal_loan"),
    path("portal/loans/<int:pk>/statement.pdf", views.portal_statement, name="portal_statement"),
    path("portal/loans/<int:pk>/prepayment/", views.portal_prepayment, name="portal_prepayment"),
    # Finance and the board chair (workbench)
    path("workbench/loans/", views.loan_book, name="book"),
    path("workbench/loans/disburse/<int:award_pk>/", views.request_disbursement, name="request_disbursement"),
    path("workbench/loans/plan/<int:award_pk>/", views.plan_disbursement, name="plan_disbursement"),
    path("workbench/loans/collections/", views.collection_upload, name="collection_upload"),
    path("workbench/loans/collections/confirm/", views.collection_confirm, name="collection_confirm"),
    path("workbench/loans/<int:pk>/", views.loan_page, name="loan"),
    path("workbench/loans/<int:pk>/statement.pdf", views.staff_statement, name="statement"),
    path("workbench/loans/<int:pk>/repayments/", views.post_repayment, name="post_repayment"),
    path("workbench/loans/<int:pk>/repayments/<int:repayment_pk>/reverse/", views.reverse_repayment, name="reverse"),
    path("workbench/loans/<int:pk>/restructure/", views.restructure, name="restructure"),
    path("workbench/loans/<int:pk>/write-off/", views.write_off, name="write_off"),
    path(
        "workbench/loans/<int:pk>/write-off/<int:proposal_pk>/<str:decision>/",
        views.write_off_decide,
        name="write_off_decide",
    ),
    path("workbench/loans/<int:pk>/prepayment/", views.prepayment, name="prepayment"),
    path("workbench/loans/<int:pk>/recoveries/", views.post_recovery, name="post_recovery"),
    path(
        "workbench/loans/<int:pk>/recoveries/<int:recovery_pk>/reverse/",
        views.reverse_recovery,
        name="reverse_recovery",
    ),
]
