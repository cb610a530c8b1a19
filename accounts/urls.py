from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/check-your-email/", views.sign_up_done, name="sign_up_done"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("verify-again/", views.resend_verification, name="resend_verification"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/code/", views.two_factor_verify, name="two_factor_verify"),
]
