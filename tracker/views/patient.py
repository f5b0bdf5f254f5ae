"""The patient's own pages: home, today's check-in, history."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker.articles import articles_for_week
from tracker.auth.access import get_patient
from tracker.auth.rate_limits import over_limit, refusal, refusal_message, seconds_over_limit
from tracker.auth.roles import patient_required
from tracker.care.questions import replies_for
from tracker.checkins.edit_window import edit_window_start, editable
from tracker.checkins.forms import CheckInForm, initial_from_checkin
from tracker.checkins.questionnaire_responses import due_for
from tracker.checkins.recording import record_checkin
from tracker.checkins.safety_first import record_safety_answers
from tracker.models import Source
from tracker.programmes.changes import logged_answers, scheduled_items
from tracker.programmes.forms import exercise_initial
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES, SYMPTOM_CODES
from tracker.views.safety import safety_screen


@patient_required
@require_GET
def patient_home(request):
    patient = get_patient(request, "home")
    today = patient.local_date()
    checkin = patient.checkins.filter(day=today).first()
    return render(
        request,
        "tracker/patient/home.html",
        {
            "patient": patient,
            "today": today,
            "checkin": checkin,
            "due": due_for(patient, today),
            # The few articles most relevant this week (tracker.articles).
            "this_week": articles_for_week(patient.weeks_since_surgery(today), get_language())[:3],
            "replies": replies_for(patient),
        },
    )


def form_to_fix(data, exercises, patient, day) -> CheckInForm:
    """The submitted form again, with its errors, under a new submission id: the safety
    answers already went through under the old one, and the corrected form must not be taken
    for a repeat of it."""
    data = data.copy()
    data["submission_id"] = str(uuid.uuid4())
    form = CheckInForm(data, exercises=exercises, patient=patient, day=day)
    form.is_valid()
    return form


def refuse_checkin(request, patient, day, form, exercises, wait: int) -> HttpResponse:
    """A check-in over the rate limit: refused (429), except that emergency or urgent answers
    are kept and answered with the safety screen first (§0.1), the rest of the form below it
    to send again later."""
    form.is_valid()
    kept = record_safety_answers(
        patient,
        day,
        form,
        by=request.user,
        submission_id=form.cleaned_data.get("submission_id"),
    )
    if kept is None:
        return refusal(request, retry_after=wait)
    messages.error(request, refusal_message(wait))
    response = safety_screen(
        request,
        patient,
        kept.findings,
        saved=kept.checkin,
        fix_form=form_to_fix(request.POST, exercises, patient, day),
        day=day,
        existing=kept.checkin,
    )
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


@patient_required
@require_http_methods(["GET", "POST"])
def checkin(request, day: date | None = None):
    """Today's check-in (or an earlier day within the edit window)."""
    patient = get_patient(request, "check-in")
    day = day or patient.local_date()
    if not editable(patient, day):
        raise Http404
    existing = patient.checkins.filter(day=day).first()
    exercises = scheduled_items(patient, day)
    # The check-in before this day within the week, for "same as yesterday".
    previous = patient.checkins.filter(day__lt=day, day__gte=day - timedelta(days=7)).first()
    if request.method == "POST":
        form = CheckInForm(
            request.POST, exercises=exercises, patient=patient, day=day, previous=previous
        )
        wait = seconds_over_limit(request, "checkin")
        if wait is not None:
            return refuse_checkin(request, patient, day, form, exercises, wait)
        if form.is_valid():
            result = record_checkin(
                patient,
                day,
                form.cleaned_data["answers"],
                by=request.user,
                submission_id=form.cleaned_data["submission_id"],
                source=Source.FORM,
            )
            return safety_screen(request, patient, result.findings, saved=result.checkin)
        kept = record_safety_answers(
            patient,
            day,
            form,
            by=request.user,
            submission_id=form.cleaned_data.get("submission_id"),
        )
        if kept is not None:
            return safety_screen(
                request,
                patient,
                kept.findings,
                saved=kept.checkin,
                fix_form=form_to_fix(request.POST, exercises, patient, day),
                day=day,
                existing=kept.checkin,
            )
    else:
        initial = initial_from_checkin(existing) if existing else {}
        initial.update(exercise_initial(logged_answers(existing)))
        form = CheckInForm(
            initial=initial, exercises=exercises, patient=patient, day=day, previous=previous
        )
    template = "tracker/patient/checkin.html"
    if request.htmx:
        template += "#checkin-form"
    return render(
        request,
        template,
        {
            "patient": patient,
            "form": form,
            "day": day,
            "existing": existing,
            "is_today": day == patient.local_date(),
        },
    )


@patient_required
@require_POST
def validate_field(request):
    """htmx: the error (if any) of the one field the patient just left."""
    if (refused := over_limit(request, "checkin-validate")) is not None:
        return refused
    name = request.POST.get("field", "")
    form = CheckInForm(request.POST, require_core=False)
    if name not in form.fields:
        return HttpResponse("")
    form.is_valid()
    errors = form.errors.get(name, [])
    return render(
        request, "tracker/patient/checkin.html#field-errors", {"errors": errors, "name": name}
    )


@patient_required
@require_GET
def history(request):
    patient = get_patient(request, "history")
    checkins = patient.checkins.order_by("-day")[:90]
    today = patient.local_date()
    return render(
        request,
        "tracker/patient/history.html",
        {
            "patient": patient,
            "checkins": checkins,
            "today": today,
            "checked_in_today": any(c.day == today for c in checkins),
            "edit_from": edit_window_start(patient),
            "symptom_names": SYMPTOM_CODES,
        },
    )


@patient_required
@require_GET
def history_day(request, day: date):
    patient = get_patient(request, "history")
    entry = patient.checkins.filter(day=day).prefetch_related("revisions").first()
    if entry is None:
        raise Http404
    return render(
        request,
        "tracker/patient/day.html",
        {
            "patient": patient,
            "entry": entry,
            "can_edit": editable(patient, day),
            "symptom_names": SYMPTOM_CODES,
            "safety_questions": SAFETY_ANSWER_CODES,
        },
    )
