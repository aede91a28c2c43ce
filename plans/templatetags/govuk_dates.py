"""Times as the GOV.UK style guide writes them: "9:02am", "5:30pm", "midday", "midnight"."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def govuk_time(value) -> str:
    """``value`` (a datetime, shown in local time) as "9:02am", "midday" or "midnight"."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"
