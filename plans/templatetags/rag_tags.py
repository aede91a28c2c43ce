"""Template helpers reading RAG properties from plans/rag.py, so no template spells them."""

from django import template

from plans import rag

register = template.Library()


@register.filter
def rag_tag_class(status: str) -> str:
    """The GOV.UK tag modifier for a RAG value (grey for Not started and unknown values)."""
    return rag.status_for(status).tag


@register.filter
def rag_hint(status: str) -> str:
    """The update form's hint for a RAG value."""
    return rag.status_for(status).hint
