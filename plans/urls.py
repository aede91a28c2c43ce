from django.urls import path

from plans.views import accounts, lifecycle, members, pages, people, structure, updates

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
    path("priorities/<int:pk>/", structure.PriorityDetailView.as_view(), name="priority_detail"),
    # The plan's structure, for partnership admins (plans.views.structure).
    path("plans/<int:pk>/structure/", structure.PlanStructureView.as_view(), name="plan_structure"),
    path("structure/<str:kind>/<int:pk>/edit/", structure.ItemEditView.as_view(), name="item_edit"),
    path("structure/<str:kind>/<int:pk>/add/", structure.ItemAddView.as_view(), name="item_add"),
    path(
        "structure/<str:kind>/<int:pk>/withdraw/",
        structure.ItemWithdrawView.as_view(),
        name="item_withdraw",
    ),
    path(
        "structure/<str:kind>/<int:pk>/reinstate/",
        structure.ItemReinstateView.as_view(),
        name="item_reinstate",
    ),
    path(
        "structure/<str:kind>/<int:pk>/delete/",
        structure.ItemDeleteView.as_view(),
        name="item_delete",
    ),
    path("structure/<str:kind>/<int:pk>/move/", structure.ItemMoveView.as_view(), name="item_move"),
    path(
        "structure/<str:kind>/<int:pk>/renumber/",
        structure.RenumberView.as_view(),
        name="item_renumber",
    ),
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
    # Adding and editing people and organisations, re-assigning a leaver (plans.views.people).
    path("partnerships/<int:pk>/people/add/", people.PersonAddView.as_view(), name="person_add"),
    path("people/<int:pk>/edit/", people.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/reassign/", people.ReassignView.as_view(), name="person_reassign"),
    path(
        "partnerships/<int:pk>/people/history/",
        people.PeopleHistoryView.as_view(),
        name="people_history",
    ),
    path(
        "partnerships/<int:pk>/organisations/",
        people.OrganisationListView.as_view(),
        name="organisations",
    ),
    path(
        "partnerships/<int:pk>/organisations/add/",
        people.OrganisationAddView.as_view(),
        name="organisation_add",
    ),
    path(
        "organisations/<int:pk>/edit/",
        people.OrganisationEditView.as_view(),
        name="organisation_edit",
    ),
    path(
        "organisations/<int:pk>/merge/",
        people.OrganisationMergeView.as_view(),
        name="organisation_merge",
    ),
    # Members and their roles, invitations (plans.views.members).
    path("partnerships/<int:pk>/members/", members.MemberListView.as_view(), name="members"),
    path("members/<int:pk>/role/", members.MemberRoleView.as_view(), name="member_role"),
    path("members/<int:pk>/end/", members.MemberEndView.as_view(), name="member_end"),
    path(
        "partnerships/<int:pk>/invitations/",
        members.InvitationListView.as_view(),
        name="invitations",
    ),
    path(
        "partnerships/<int:pk>/invitations/new/",
        members.InvitationCreateView.as_view(),
        name="invitation_create",
    ),
    path(
        "invitations/<int:pk>/cancel/",
        members.InvitationCancelView.as_view(),
        name="invitation_cancel",
    ),
    path(
        "invitations/<int:pk>/send-again/",
        members.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(
        "people/send-sign-in-link/",
        accounts.SendSignInLinkView.as_view(),
        name="send_signin_link",
    ),
]
