from django.urls import path

from mfa import views

app_name = "mfa"

urlpatterns = [
    path("accounts/two-factor/", views.VerifyView.as_view(), name="verify"),
    path("accounts/two-factor/set-up/", views.SetUpView.as_view(), name="set_up"),
    path(
        "accounts/two-factor/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="recovery_codes",
    ),
]
