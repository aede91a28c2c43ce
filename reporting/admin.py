from django.contrib import admin

from plans.admin_scoping import PartnershipScopedModelAdmin
from reporting.models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(PartnershipScopedModelAdmin, admin.ModelAdmin):
    """Snapshots are evidence of what a closed quarter said: viewable, never editable."""

    partnership_lookup = "period__plan__partnership"

    list_display = ["period", "created_at", "created_by", "digest"]
    list_select_related = ["period__plan", "created_by"]
    list_filter = ["period__plan__partnership"]
    readonly_fields = ["period", "data", "digest", "schema_version", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
