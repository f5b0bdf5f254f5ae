"""The triage inbox's queries: which flags a staff member sees, filtered and in triage order."""

from __future__ import annotations

from django.db.models import QuerySet

from tracker.auth.access import patients_visible_to
from tracker.models import ACTIVE_STATUSES, Flag, FlagStatus
from tracker.timeline import Level

ACTIVE = "active"  # the inbox's default status filter: open and acknowledged
ALL = "all"


# Other orders the inbox can be sorted in; the default is Flag's triage order.
SORTS = {
    "newest": ("-opened_at", "-id"),
    "oldest": ("opened_at", "id"),
    "patient": ("patient__user__full_name", "level_rank", "opened_at", "id"),
}


def inbox_flags(
    user, *, status: str = ACTIVE, level: str = "", rule: str = "", sort: str = "triage"
) -> QuerySet[Flag]:
    """The flags of `user`'s patients matching the filters, in the order `sort` names.

    `status` is a flag status, ACTIVE (open or acknowledged) or ALL; an empty `level` or `rule`
    means any; `sort` is a key of SORTS; anything else gives the triage order (most
    severe, then oldest, first). Each flag comes with its patient and the staff who acted on it, so
    a page of them costs one query however long the list.
    """
    flags = Flag.objects.filter(patient__in=patients_visible_to(user))
    if status == ACTIVE:
        flags = flags.filter(status__in=ACTIVE_STATUSES)
    elif status != ALL:
        flags = flags.filter(status=status)
    if level:
        flags = flags.filter(level=level)
    if rule:
        flags = flags.filter(rule_id=rule)
    flags = flags.select_related("patient__user", "acknowledged_by", "resolved_by")
    ordering = SORTS.get(sort)
    return flags.order_by(*ordering) if ordering else flags.triage_order()


def pressing_flag_count(user) -> int:
    """Open emergency and urgent flags of `user`'s patients: the count on every staff page."""
    return Flag.objects.filter(
        patient__in=patients_visible_to(user),
        status=FlagStatus.OPEN,
        level_rank__lte=Level.URGENT.rank,
    ).count()
