from django.urls import path

from plans.views import pages

app_name = "plans"

urlpatterns = [
    path("plans/", pages.PlanListView.as_view(), name="plan_list"),
]
