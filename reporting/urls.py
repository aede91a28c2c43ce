from django.urls import path

from reporting.views import background, board_pack, home, milestones, periods

app_name = "reporting"

urlpatterns = [
    path("plans/<int:pk>/", board_pack.BoardPackView.as_view(), name="board_pack"),
    # The milestone list (plans:milestone_list) as a file, with the list's filters.
    path(
        "milestones.<str:fmt>",
        milestones.MilestoneListDownloadView.as_view(),
        name="milestone_list_download",
    ),
    path(
        "plans/<int:pk>/organisations/",
        home.PlanOrganisationsView.as_view(),
        name="plan_organisations",
    ),
    path(
        "plans/<int:pk>/periods/",
        periods.PeriodsGenerateView.as_view(),
        name="periods_generate",
    ),
    path(
        "periods/<int:pk>/pack.<str:fmt>",
        board_pack.PackDownloadView.as_view(),
        name="pack_download",
    ),
    path(
        "periods/<int:pk>/changes/",
        board_pack.PeriodChangesView.as_view(),
        name="period_changes",
    ),
    # Packs produced in the background (reporting.jobs): ask, watch progress, download, retry.
    path(
        "periods/<int:pk>/pack.<str:fmt>/background/",
        background.PackJobRequestView.as_view(),
        name="pack_job_request",
    ),
    path("packs/<int:pk>/", background.PackJobView.as_view(), name="pack_job"),
    path(
        "packs/<int:pk>/file/",
        background.PackJobDownloadView.as_view(),
        name="pack_job_download",
    ),
    path("packs/<int:pk>/retry/", background.PackJobRetryView.as_view(), name="pack_job_retry"),
    path("periods/<int:pk>/close/", periods.PeriodCloseView.as_view(), name="period_close"),
    path("periods/<int:pk>/reopen/", periods.PeriodReopenView.as_view(), name="period_reopen"),
    path("periods/<int:pk>/meeting/", periods.BoardMeetingView.as_view(), name="period_meeting"),
    path(
        "periods/<int:pk>/deadline/",
        periods.PeriodDeadlineView.as_view(),
        name="period_deadline",
    ),
]
