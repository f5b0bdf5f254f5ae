"""General template filters used across the app's pages."""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] translated, or the key itself when it is not there."""
    value = mapping.get(key) if hasattr(mapping, "get") else None
    return gettext(value) if value else key


@register.filter
def lookup_raw(mapping, key):
    """mapping[key] as stored (None when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def evidence_columns(evidence):
    """The keys of a flag's evidence rows, "date" first, in first-seen order."""
    columns: list[str] = []
    for row in evidence or []:
        for key in row:
            if key not in columns:
                columns.append(key)
    if "date" in columns:
        columns.remove("date")
        columns.insert(0, "date")
    return columns
