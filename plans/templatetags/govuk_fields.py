"""Template helpers for the GOV.UK field includes in templates/includes/."""

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def select_options(field: BoundField) -> SafeString:
    """The ``<option>`` elements of a bound select field, the choice made marked ``selected``.

    Built in one pass: a template loop over the field's subwidgets costs a widget context and
    several lookups per option, which adds up for a partnership's hundreds of leads. Option
    groups are flattened, as that loop did. Values and labels are escaped by format_html_join.
    """
    value = field.value()
    values = value if isinstance(value, list | tuple) else [value]
    chosen = {"" if v is None else str(v) for v in values}
    options = []
    for choice_value, label in field.field.widget.choices:
        pairs = label if isinstance(label, list | tuple) else [(choice_value, label)]
        for option_value, option_label in pairs:
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value in chosen else ""
            options.append((option_value, selected, option_label))
    return format_html_join("\n", '<option value="{}"{}>{}</option>', options)


def field_anchor(field: BoundField) -> str:
    """The id an error summary links to: the field's input, the first of its radios or boxes."""
    return field.id_for_label or f"{field.auto_id}_0"


@register.simple_tag
def error_summary_items(form, first_field: str = "") -> list[tuple[str, str]]:
    """(anchor, message) pairs for GOV.UK's error summary, in the order of the form's fields.

    Errors about the whole form come first and link to ``first_field`` (an id), else to the
    form's first visible field, so that following the link puts the cursor in the form.
    """
    fields = list(form)
    visible = [field for field in fields if not field.is_hidden]
    if not first_field:
        first_field = field_anchor(visible[0]) if visible else "main-content"
    items = [(first_field, str(error)) for error in form.non_field_errors()]
    for field in fields:
        items.extend((field_anchor(field), str(error)) for error in field.errors)
    return items


@register.filter
def intcomma_plain(value: int) -> str:
    """``5,000``: a whole number with thousands separated by commas."""
    return f"{int(value):,}"


@register.simple_tag
def described_by(field: BoundField, hint: str = "", count: bool = False) -> SafeString:
    """`` aria-describedby="…"`` naming the field's character count message (when
    ``count``), hint and error message, or nothing."""
    ids = [f"{field.auto_id}-info"] if count else []
    if hint:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return format_html(' aria-describedby="{}"', " ".join(ids)) if ids else SafeString("")
