"""The program officer's seat-voucher workbench (vouchers/views/officer.py)."""

from django.urls import path

from .views import officer

app_name = "vouchers_workbench"

urlpatterns = [
    path("", officer.queue, name="queue"),
    path("approve/", officer.approve, name="approve"),
    path("claims/", officer.claims, name="claims"),
    path("claims/<str:reference>/", officer.claim, name="claim"),
    path("claims/<str:reference>/verify/", officer.claim_verify, name="claim_verify"),
    path("claims/<str:reference>/approve/", officer.claim_approve, name="claim_approve"),
    path("claims/<str:reference>/reject/", officer.claim_reject, name="claim_reject"),
    path("<str:reference>/refuse/", officer.voucher_refuse, name="voucher_refuse"),
    path("<str:reference>/offer/", officer.voucher_offer, name="voucher_offer"),
    path("<str:reference>/", officer.voucher, name="voucher"),
]
