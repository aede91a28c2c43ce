from django.contrib import admin
from django.urls import include, path

from plans.views import accounts
from plans.views.pages import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/sign-in-link/", accounts.SignInLinkRequestView.as_view(), name="signin_link"),
    path(
        "accounts/sign-in-link/sent/",
        accounts.SignInLinkSentView.as_view(),
        name="signin_link_sent",
    ),
    path("accounts/link/", accounts.SignInLinkLoginView.as_view(), name="signin_link_login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("imports.urls")),
    path("", include("plans.urls")),
    path("indicators/", include("outcomes.urls")),
    path("reporting/", include("reporting.urls")),
]
