"""The triage inbox: flags of the signed-in staff member's patients, most severe first."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tracker.auth.access import get_flag, get_flag_for_change, record_list_access
from tracker.auth.next_url import safe_next
from tracker.auth.roles import care_staff_required
from tracker.care.questions import notify_reply
from tracker.flags.forms import InboxFilterForm, ResolveForm
from tracker.flags.inbox import inbox_flags
from tracker.models import Flag

PAGE_SIZE = 20


@care_staff_required
@require_GET
def inbox(request):
    form = InboxFilterForm(request.GET or None)
    flags = inbox_flags(request.user, **form.filters())
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    record_list_access(request, {flag.patient for flag in page.object_list}, "triage inbox")
    query = request.GET.copy()
    query.pop("page", None)
    template = "tracker/care/inbox.html#flag-list" if request.htmx else "tracker/care/inbox.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode(), "resolve_form": ResolveForm()},
    )


def flag_response(request, flag: Flag, form=None):
    flag.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "tracker/care/inbox.html#flag-card",
            {"flag": flag, "resolve_form": form or ResolveForm()},
        )
    return redirect(safe_next(request, reverse("triage-inbox")))


@care_staff_required
@require_POST
def acknowledge(request, flag_id):
    flag = get_flag_for_change(request, flag_id, "flag:acknowledge")
    if not flag.acknowledge(request.user):
        messages.info(request, _("This flag had already been acknowledged or resolved."))
    return flag_response(request, flag)


@care_staff_required
@require_POST
def resolve(request, flag_id):
    flag = get_flag_for_change(request, flag_id, "flag:resolve")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return flag_response(request, flag, form)
        messages.error(request, _("Write a resolution note to resolve a flag."))
        return redirect(safe_next(request, reverse("triage-inbox")))
    if flag.resolve(request.user, form.cleaned_data["note"]):
        notify_reply(flag)
    else:
        messages.info(request, _("This flag had already been resolved."))
    return flag_response(request, flag)


@care_staff_required
@require_GET
def flag_detail(request, flag_id):
    flag = get_flag(request, flag_id, "flag")
    return render(
        request,
        "tracker/care/flag.html",
        {"flag": flag, "resolve_form": ResolveForm(), "patient": flag.patient},
    )
