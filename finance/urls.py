from django.urls import path, re_path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("prepare/", views.maker_queue, name="maker_queue"),
    path("approve/", views.checker_queue, name="checker_queue"),
    path("payments/<int:pk>/", views.payment_page, name="payment"),
    path("payments/<int:pk>/prepare/", views.payment_prepare, name="payment_prepare"),
    path("payments/<int:pk>/approve/", views.payment_approve, name="payment_approve"),
    path("payments/<int:pk>/send-back/", views.payment_send_back, name="payment_send_back"),
    path("payments/<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("payments/<int:pk>/retry/", views.payment_retry, name="payment_retry"),
    path("payments/<int:pk>/voucher.pdf", views.payment_voucher, name="payment_voucher"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch_page, name="batch"),
    re_path(r"^batches/(?P<pk>\d+)/bank-file\.(?P<kind>xlsx|csv)$", views.batch_file, name="batch_file"),
    path("batches/<int:pk>/send/", views.batch_send, name="batch_send"),
    path("statements/", views.statement_upload, name="statement_upload"),
    path("statements/confirm/", views.statement_confirm, name="statement_confirm"),
    path("statements/<int:pk>/", views.statement_page, name="statement"),
    path("unmatched/", views.unmatched, name="unmatched"),
    path("unmatched/<int:pk>/resolve/", views.line_resolve, name="line_resolve"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/journal/", views.journal_page, name="journal"),
    re_path(r"^ledger/general-ledger\.(?P<kind>xlsx|csv)$", views.ledger_export, name="ledger_export"),
]
