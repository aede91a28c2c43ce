from django.urls import path

from signoff import views

app_name = "signoff"

urlpatterns = [
    path("sign-off/", views.MySignoffsView.as_view(), name="mine"),
    path("partnerships/<int:pk>/sign-off/", views.SettingsView.as_view(), name="settings"),
    path("organisations/<int:pk>/signatory/", views.SignatoryView.as_view(), name="signatory"),
    path("periods/<int:pk>/sign-off/", views.PeriodSignoffView.as_view(), name="period"),
    path("periods/<int:pk>/sign-off/chair/", views.SignView.as_view(), name="chair_sign"),
    path(
        "periods/<int:pk>/sign-off/chair/withdraw/",
        views.WithdrawView.as_view(),
        name="chair_withdraw",
    ),
    path(
        "periods/<int:pk>/sign-off/organisations/<int:organisation_pk>/",
        views.OrganisationSignoffView.as_view(),
        name="organisation",
    ),
    path(
        "periods/<int:pk>/sign-off/organisations/<int:organisation_pk>/sign/",
        views.SignView.as_view(),
        name="organisation_sign",
    ),
    path(
        "periods/<int:pk>/sign-off/organisations/<int:organisation_pk>/withdraw/",
        views.WithdrawView.as_view(),
        name="organisation_withdraw",
    ),
]
