from django.urls import path

from plans.views import accounts, lifecycle, pages, people, updates

app_name = "plans"

urlpatterns = [
    path("plans/", pages.PlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", pages.PlanDetailView.as_view(), name="plan_detail"),
    # A plan's life: create, edit, archive, roll forward (plans.views.lifecycle).
    path("plans/new/", lifecycle.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/edit/", lifecycle.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/archive/", lifecycle.PlanArchiveView.as_view(), name="plan_archive"),
    path("plans/<int:pk>/unarchive/", lifecycle.PlanUnarchiveView.as_view(), name="plan_unarchive"),
    path(
        "plans/<int:pk>/roll-forward/",
        lifecycle.PlanRollForwardView.as_view(),
        name="plan_roll_forward",
    ),
    path(
        "plans/<int:pk>/update-compliance/remind/",
        lifecycle.ReminderRoundView.as_view(),
        name="reminder_round",
    ),
    path("milestones/", pages.MilestoneListView.as_view(), name="milestone_list"),
    path("milestones/<int:pk>/", pages.MilestoneDetailView.as_view(), name="milestone_detail"),
    path("outcomes/<int:pk>/", pages.OutcomeDetailView.as_view(), name="outcome_detail"),
    path("actions/<int:pk>/", pages.ActionDetailView.as_view(), name="action_detail"),
    # Leads' updates, delegates, audit trail and chasing (plans.views.updates).
    path("my-milestones/", updates.MyMilestonesView.as_view(), name="my_milestones"),
    path(
        "milestones/<int:pk>/update/",
        updates.MilestoneUpdateView.as_view(),
        name="milestone_update",
    ),
    path("my-milestones/delegates/", updates.DelegatesView.as_view(), name="delegates"),
    path(
        "my-milestones/delegates/<int:pk>/remove/",
        updates.DelegationDeleteView.as_view(),
        name="delegation_delete",
    ),
    path(
        "history/<str:kind>/<int:pk>/",
        updates.ItemHistoryView.as_view(),
        name="item_history",
    ),
    path("plans/<int:pk>/history/", updates.PlanHistoryView.as_view(), name="plan_history"),
    path(
        "plans/<int:pk>/update-compliance/",
        updates.UpdateComplianceView.as_view(),
        name="update_compliance",
    ),
    # People and removing those who have left (plans.views.people).
    path("people/", people.PeopleListView.as_view(), name="people"),
    path("people/<int:pk>/remove/", people.PersonRemoveView.as_view(), name="person_remove"),
    path(
        "people/send-sign-in-link/",
        accounts.SendSignInLinkView.as_view(),
        name="send_signin_link",
    ),
]
