"""/api/v1/: the token endpoint, the documentation, the reports and the bank."""

from django.urls import path, re_path
from oauth2_provider import views as oauth

from . import views

app_name = "api"

urlpatterns = [
    # OAuth 2.0: client credentials (HTTP Basic client_id:client_secret), and revoking a token.
    path("oauth/token/", oauth.TokenView.as_view(), name="token"),
    path("oauth/revoke/", oauth.RevokeTokenView.as_view(), name="revoke"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("problems/", views.problem_types, name="problems"),
    # reports:read
    path("programs/", views.ProgramList.as_view(), name="programs"),
    path("calls/", views.CallList.as_view(), name="calls"),
    path("awards/", views.AwardList.as_view(), name="awards"),
    path("payments/", views.PaymentList.as_view(), name="payments"),
    path("utilization-returns/", views.UtilizationReturnList.as_view(), name="utilization_returns"),
    path("loan-positions/", views.LoanPositionList.as_view(), name="loan_positions"),
    path("spaces/", views.SpaceList.as_view(), name="spaces"),
    # bank:payments
    path("bank/batches/", views.BankBatchList.as_view(), name="bank_batches"),
    path("bank/batches/<str:reference>/", views.BankBatchDetail.as_view(), name="bank_batch"),
    path("bank/payments/<str:reference>/outcome/", views.PaymentOutcome.as_view(), name="payment_outcome"),
    # bank:collections
    path("bank/collections/", views.CollectionsPost.as_view(), name="collections"),
    re_path(r"^.*$", views.not_found),
]
