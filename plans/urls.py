from django.urls import path

from plans.views import pages

app_name = "plans"

urlpatterns = [
    path("plans/", pages.PlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", pages.PlanDetailView.as_view(), name="plan_detail"),
    path("milestones/", pages.MilestoneListView.as_view(), name="milestone_list"),
    path("milestones/<int:pk>/", pages.MilestoneDetailView.as_view(), name="milestone_detail"),
    path("outcomes/<int:pk>/", pages.OutcomeDetailView.as_view(), name="outcome_detail"),
    path("actions/<int:pk>/", pages.ActionDetailView.as_view(), name="action_detail"),
]
