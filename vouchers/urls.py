"""The seat-voucher pages of freelancers and operators (vouchers/views/freelancer.py, operator.py)."""

from django.urls import path

from .views import freelancer, operator

app_name = "vouchers"

urlpatterns = [
    path("", freelancer.home, name="home"),
    path("profile/", freelancer.profile, name="profile"),
    path("profile/documents/", freelancer.document_add, name="document_add"),
    path("documents/<int:pk>/", freelancer.document, name="document"),
    path("rounds/<slug:reference>/", freelancer.round_detail, name="round"),
    path("operator/seats/", operator.seats, name="seats"),
    path("operator/claims/new/", operator.claim_new, name="claim_new"),
    path("claims/<str:reference>/", operator.claim, name="claim"),
    path("<str:reference>/confirm/", freelancer.voucher_confirm, name="voucher_confirm"),
    path("<str:reference>/overcharge/", freelancer.voucher_overcharge, name="voucher_overcharge"),
    path("<str:reference>/withdraw/", freelancer.voucher_withdraw, name="voucher_withdraw"),
    path("<str:reference>/start/", operator.voucher_start, name="voucher_start"),
    path("<str:reference>/end/", operator.voucher_end, name="voucher_end"),
    path("<str:reference>/no-show/", operator.voucher_no_show, name="voucher_no_show"),
    # Last: a voucher's reference must not swallow the pages above.
    path("<str:reference>/", freelancer.voucher, name="voucher"),
]
