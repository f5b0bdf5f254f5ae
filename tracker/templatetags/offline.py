"""The check-in page's offline parts: the "saved on this phone" notice, the emergency advice
shown without a connection, and what offline.js needs to know."""

from django import template

from tracker.checkins.offline_merge import emergency_answer_codes

register = template.Library()


@register.inclusion_tag("tracker/patient/offline_checkin.html", takes_context=True)
def offline_checkin(context):
    patient, day = context["patient"], context["day"]
    return {
        "clinic": patient.clinic,
        "config": {
            "day": day.isoformat(),
            "is_today": bool(context.get("is_today")),
            "owner": str(patient.public_id),
            # §3 answers that are an emergency by themselves (derived from the rules).
            "emergency": list(emergency_answer_codes()),
        },
    }
