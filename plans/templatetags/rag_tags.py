"""Template helpers reading RAG properties from plans/rag.py, so no template spells them."""

from django import template
from django.utils.html import format_html_join

from plans import rag

register = template.Library()


@register.filter
def rag_tag_class(status: str) -> str:
    """The tag class for a RAG value (Not started's for unknown values); /rag.css colours it."""
    return rag.status_for(status).tag


@register.filter
def rag_hint(status: str) -> str:
    """The update form's hint for a RAG value."""
    return rag.status_for(status).hint


@register.simple_tag
def rag_pdf_css() -> str:
    """The PDF pack's ``.rag-<status>`` rules: fixed text from plans/rag.py, no argument, so
    nothing a user typed can reach the CSS."""
    return format_html_join(
        "\n",
        "  .rag-{} {{ background: {}; color: {}; }}",
        ((s.value, s.colour, s.ink) for s in rag.STATUSES.values()),
    )
