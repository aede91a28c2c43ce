from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from outcomes.models import Indicator, IndicatorSettings, IndicatorValue
from plans.admin_scoping import PartnershipScopedInline, PartnershipScopedModelAdmin


class IndicatorValueInline(PartnershipScopedInline, admin.TabularInline):
    partnership_lookup = "indicator__plan__partnership"
    model = IndicatorValue
    extra = 0
    fields = ["kind", "comparator", "year", "quarter", "period_type", "value", "status", "note"]


@admin.register(Indicator)
class IndicatorAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "plan__partnership"
    list_display = ["code", "definition", "plan", "polarity", "unit", "owner"]
    list_filter = ["plan__partnership", "polarity", "unit", "frequency"]
    search_fields = ["code", "definition"]
    list_select_related = ["plan", "owner"]
    autocomplete_fields = ["outcomes", "owner", "organisation", "parent", "priority"]
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "indicator__plan__partnership"
    list_display = [
        "indicator",
        "kind",
        "comparator",
        "year",
        "quarter",
        "period_type",
        "value",
        "status",
    ]
    list_filter = ["kind", "status", "period_type", "indicator__plan__partnership"]
    search_fields = ["indicator__code", "comparator"]
    list_select_related = ["indicator"]
    raw_id_fields = ["indicator", "entered_by"]


@admin.register(IndicatorSettings)
class IndicatorSettingsAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "partnership"
    list_display = ["partnership", "comparator_threshold_percent"]
