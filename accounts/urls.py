from django.contrib.auth import views as auth_views
from django.urls import path

from . import password_reset, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/check-your-email/", views.sign_up_done, name="sign_up_done"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("verify-again/", views.resend_verification, name="resend_verification"),
    path("password-reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", password_reset.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", password_reset.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/code/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/confirm/", views.two_factor_step_up, name="two_factor_step_up"),
    path("two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
]
