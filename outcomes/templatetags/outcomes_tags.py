from django import template

from outcomes.assessment import display

register = template.Library()


@register.simple_tag
def indicator_value(indicator, row) -> str:
    """An indicator's value row as pages show it: "9.7%", "N/A" or "Not reported"."""
    return display(indicator, row)
