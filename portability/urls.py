from django.urls import path

from portability import views

app_name = "portability"

urlpatterns = [
    path("plans/<int:pk>/export.json", views.PlanExportJsonView.as_view(), name="plan_export_json"),
    path(
        "plans/<int:pk>/export-with-files.zip",
        views.PlanExportZipView.as_view(),
        name="plan_export_zip",
    ),
]
