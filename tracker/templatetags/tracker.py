from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] translated, or the key itself when it is not there."""
    value = mapping.get(key) if hasattr(mapping, "get") else None
    return gettext(value) if value else key
