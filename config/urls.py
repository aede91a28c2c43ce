from django.contrib import admin
from django.urls import include, path

from plans.views import accounts, members
from plans.views.pages import favicon, rag_css
from reporting.views.home import HomeView

handler400 = "security.views.bad_request"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # Before Django's own: sign in with a username or an e-mail address.
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("favicon.ico", favicon, name="favicon"),
    path("rag.css", rag_css, name="rag_css"),
    path("accounts/sign-in-link/", accounts.SignInLinkRequestView.as_view(), name="signin_link"),
    path(
        "accounts/sign-in-link/sent/",
        accounts.SignInLinkSentView.as_view(),
        name="signin_link_sent",
    ),
    path("accounts/link/", accounts.SignInLinkLoginView.as_view(), name="signin_link_login"),
    # Where an invitation to join a partnership lands (plans.views.members; no sign-in needed).
    path(
        "accounts/invitation/<str:token>/",
        members.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    # Before Django's own: the same address and name, limited and sent by the worker.
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("", include("mfa.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("imports.urls")),
    path("", include("plans.urls")),
    path("indicators/", include("outcomes.urls")),
    path("reporting/", include("reporting.urls")),
    path("", include("portability.urls")),
    path("", include("review.urls")),
    path("", include("signoff.urls")),
    path("", include("evidence.urls")),
    path("", include("notifications.urls")),
]
