from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("account/notifications/", views.PreferencesView.as_view(), name="preferences"),
]
