"""General template filters used across the app's pages."""

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.models.flags import ASK_RULE
from tracker.rules import RULES_BY_ID
from tracker.rules.definition import rule_info
from tracker.timeline.vocabulary import ANSWER_LABELS, answer_label

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


# The care team's words for the keys of a flag's evidence; a key not named here is read out
# from its name ("leg_pain_mean_before" → "Leg pain mean before").
EVIDENCE_LABELS = {
    "date": _("Date"),
    "answers": _("Answered yes"),
    "symptoms": _("Symptoms"),
    "back_pain": _("Back pain"),
    "leg_pain": _("Leg pain"),
    "leg_pain_7_day_mean": _("Leg pain, 7-day mean"),
    "opioid_doses": _("Opioid doses"),
    "opioid_dates": _("Days with opioids"),
    "instrument": _("Questionnaire"),
    "total": _("Score"),
    "item_9": _("PHQ-9 item 9"),
    "question": _("Question"),
    "omitted_items": _("Older items not shown"),
    "omitted_from": _("Older items from"),
    "omitted_until": _("Older items until"),
    "baseline_source": _("Baseline from"),
    "baseline_dates": _("Baseline days"),
    "missed_days": _("Days missed"),
    "threshold_days": _("Threshold (days)"),
    "last_checkin": _("Last check-in"),
}


@register.filter
def evidence_label(key) -> str:
    """A column of a flag's evidence in words."""
    label = EVIDENCE_LABELS.get(key)
    if label is not None:
        return str(label)
    text = str(key).replace("_", " ").replace("7 day", "7-day").strip()
    return text[:1].upper() + text[1:]


@register.filter
def evidence_value(value) -> str:
    """A cell of a flag's evidence in words: answer codes as their labels, lists joined,
    yes/no for booleans, "–" for nothing; never a Python list or dict."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(evidence_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{evidence_label(k)}: {evidence_value(v)}" for k, v in value.items())
    if isinstance(value, str):
        return gettext(answer_label(value)) if ":" in value or value in ANSWER_LABELS else value
    return str(value)


@register.filter
def rule_title(rule_id) -> str:
    """A rule's title, as the care team reads it (the id stays a small reference beside it)."""
    if rule_id == ASK_RULE:
        return str(_("Question from the patient"))
    rule = RULES_BY_ID.get(rule_id)
    return rule_info(rule).title if rule is not None else str(rule_id)
