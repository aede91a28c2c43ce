from django.urls import path

from outcomes.views import entry, manage, pages

app_name = "outcomes"

urlpatterns = [
    path("plan/<int:plan_pk>/", pages.ScorecardView.as_view(), name="scorecard"),
    path(
        "plan/<int:plan_pk>/priority/<int:priority_pk>/",
        pages.ScorecardView.as_view(),
        name="scorecard_priority",
    ),
    path("plan/<int:plan_pk>/add/", manage.IndicatorFormView.as_view(), name="indicator_add"),
    path("<int:pk>/edit/", manage.IndicatorFormView.as_view(), name="indicator_edit"),
    path("plan/<int:plan_pk>/upload/", entry.ValuesUploadView.as_view(), name="values_upload"),
    path("how-judgements-work/", pages.JudgementsHelpView.as_view(), name="judgements"),
    path("<int:pk>/", pages.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("<int:pk>/actual/", entry.ActualEnterView.as_view(), name="actual_enter"),
]
