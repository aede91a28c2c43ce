from django.contrib import admin
from django.urls import include, path

from plans.views.pages import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("plans.urls")),
    path("indicators/", include("outcomes.urls")),
    path("reporting/", include("reporting.urls")),
]
