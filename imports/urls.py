from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("plans/import/", views.ImportStartView.as_view(), name="import_start"),
    path("plans/import/<str:token>/", views.ImportPreviewView.as_view(), name="import_preview"),
]
