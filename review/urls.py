from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("plans/<int:pk>/review/", views.ReviewListView.as_view(), name="review_list"),
    path("updates/<int:pk>/review/", views.ThreadView.as_view(), name="thread"),
    path("updates/<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path(
        "partnerships/<int:pk>/review-settings/",
        views.ReviewSettingsView.as_view(),
        name="settings",
    ),
]
