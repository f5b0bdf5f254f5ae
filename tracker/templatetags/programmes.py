"""Template filters for exercise doses and adherence."""

from django import template

from tracker.programmes.changes import dose_text

register = template.Library()


@register.filter
def dose(item) -> str:
    """A dose (exercise or programme item) in plain words."""
    return dose_text(item)


@register.filter
def percent(adherence) -> str:
    """An `Adherence` as "72 %" (done ÷ prescribed), or "—" when nothing was prescribed."""
    value = getattr(adherence, "percent", None)
    return "—" if value is None else f"{value:.0f} %"
