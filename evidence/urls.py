from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path(
        "updates/<int:pk>/evidence/add/",
        views.AttachmentAddView.as_view(),
        name="attachment_add",
    ),
    path(
        "evidence/<int:pk>/download/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
    path(
        "evidence/<int:pk>/remove/",
        views.AttachmentRemoveView.as_view(),
        name="attachment_remove",
    ),
]
