"""Exercise programmes (clinical-reference §6): the library, a patient's programme and
restrictions for the care team, and the patient's own exercises page."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker.auth.access import RESTRICTION_SETTERS, get_patient, get_patient_for_method
from tracker.auth.roles import care_staff_required, patient_required, role_required
from tracker.models import Exercise, ProgrammeItem, Role
from tracker.models.timelines import patient_timeline
from tracker.programmes.changes import (
    active_programme,
    add_item,
    apply_default_restrictions,
    apply_phase_template,
    current_items,
    exercise_sessions,
    library_for,
    library_values,
    lift_restriction,
    programme_for_editing,
    remove_item,
    restrictions_in_force,
    update_item,
)
from tracker.programmes.forms import (
    ExerciseForm,
    PhaseTemplateForm,
    ProgrammeItemForm,
    RestrictionForm,
)
from tracker.trends.series import adherence_by_exercise, weekly_adherence

ADHERENCE_DAYS = 14  # per-exercise adherence shown to the physio: the last 2 weeks (as P9)
CHANGES_SHOWN = 30


def parse_uuid(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def recent_changes(programme):
    if programme is None:
        return []
    return programme.changes.select_related("changed_by")[:CHANGES_SHOWN]


# The patient ------------------------------------------------------------------------------


@patient_required
@require_GET
def my_exercises(request):
    """The patient's programme this week, what changed, restrictions and a weekly summary."""
    patient = get_patient(request, "exercises")
    today = patient.local_date()
    week = patient.weeks_since_surgery(today)
    programme = active_programme(patient)
    items = list(current_items(programme))
    return render(
        request,
        "tracker/programmes/my_exercises.html",
        {
            "patient": patient,
            "week": week,
            "now": [item for item in items if item.covers_week(week)],
            "later": [item for item in items if item.start_week > week],
            "changes": recent_changes(programme),
            "restrictions": restrictions_in_force(patient, today),
            "weeks": weekly_adherence(patient_timeline(patient), today)[-4:][::-1],
        },
    )


# The care team: a patient's programme ---------------------------------------------------------


@care_staff_required
@require_http_methods(["GET", "POST"])
def programme(request, patient_id):
    patient = get_patient_for_method(request, "programme", patient_id)
    form = PhaseTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        editing = programme_for_editing(patient, request.user)
        added = apply_phase_template(editing, form.cleaned_data["phase"], request.user)
        messages.success(
            request, _("%(n)s exercises added from the phase template.") % {"n": len(added)}
        )
        return redirect("programme", patient.public_id)
    current = active_programme(patient)
    today = patient.local_date()
    start = today - timedelta(days=ADHERENCE_DAYS - 1)
    sessions = exercise_sessions(patient, start, today)
    by_exercise = adherence_by_exercise(sessions, start, today)
    return render(
        request,
        "tracker/programmes/programme.html",
        {
            "patient": patient,
            "form": form,
            "rows": [
                (item, by_exercise.get(item.exercise.name)) for item in current_items(current)
            ],
            "week": patient.weeks_since_surgery(today),
            "changes": recent_changes(current),
            "restrictions": restrictions_in_force(patient, today),
        },
    )


@care_staff_required
@require_http_methods(["GET", "POST"])
def programme_add(request, patient_id):
    """Choose an exercise from the library, then adjust its dose and weeks."""
    patient = get_patient_for_method(request, "programme", patient_id)
    chosen = request.POST.get("exercise") or request.GET.get("exercise")
    library = library_for(patient.clinic)
    if not chosen:
        return render(
            request,
            "tracker/programmes/programme_add.html",
            {"patient": patient, "library": library},
        )
    exercise = get_object_or_404(library, public_id=parse_uuid(chosen))
    form = ProgrammeItemForm(request.POST or None, initial=library_values(exercise))
    if request.method == "POST" and form.is_valid():
        editing = programme_for_editing(patient, request.user)
        add_item(editing, exercise, form.cleaned_data, request.user)
        messages.success(request, _("%(name)s is added.") % {"name": exercise.name})
        return redirect("programme", patient.public_id)
    return render(
        request,
        "tracker/programmes/programme_item.html",
        {"patient": patient, "exercise": exercise, "form": form, "adding": True},
    )


@care_staff_required
@require_http_methods(["GET", "POST"])
def programme_item(request, patient_id, item_id):
    """Change one exercise's dose and weeks, or stop it."""
    patient = get_patient_for_method(request, "programme", patient_id)
    item = get_object_or_404(
        ProgrammeItem.objects.select_related("exercise", "programme"),
        public_id=item_id,
        programme__patient=patient,
        programme__active=True,
        removed_at__isnull=True,
    )
    if request.method == "POST" and "remove" in request.POST:
        remove_item(item, request.user)
        messages.success(request, _("%(name)s is stopped.") % {"name": item.exercise.name})
        return redirect("programme", patient.public_id)
    form = ProgrammeItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        if update_item(item, form.cleaned_data, request.user):
            messages.success(request, _("The change is saved and shown to the patient."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("programme", patient.public_id)
    return render(
        request,
        "tracker/programmes/programme_item.html",
        {"patient": patient, "exercise": item.exercise, "item": item, "form": form},
    )


# The care team: restrictions (set by clinicians) ---------------------------------------------


@care_staff_required
@require_http_methods(["GET", "POST"])
def restrictions(request, patient_id):
    """Restrictions in force and past; clinicians set and lift them (§6 defaults offered)."""
    patient = get_patient_for_method(
        request, "restrictions", patient_id, changers=RESTRICTION_SETTERS
    )
    today = patient.local_date()
    can_edit = request.user.role in RESTRICTION_SETTERS
    form = RestrictionForm(today=today)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "defaults":
            added = apply_default_restrictions(patient, request.user)
            messages.success(request, _("%(n)s default restrictions set.") % {"n": len(added)})
            return redirect("restrictions", patient.public_id)
        if action == "lift":
            restriction = get_object_or_404(
                patient.restrictions, public_id=parse_uuid(request.POST.get("restriction"))
            )
            lift_restriction(restriction, request.user)
            messages.success(request, _("The restriction is lifted."))
            return redirect("restrictions", patient.public_id)
        form = RestrictionForm(request.POST, today=today)
        if form.is_valid():
            restriction = form.save(commit=False)
            restriction.patient = patient
            restriction.set_by = request.user
            restriction.save()
            messages.success(request, _("The restriction is set and shown to the patient."))
            return redirect("restrictions", patient.public_id)
    in_force = list(restrictions_in_force(patient, today).select_related("set_by"))
    past = patient.restrictions.exclude(pk__in=[r.pk for r in in_force]).select_related(
        "set_by", "lifted_by"
    )
    return render(
        request,
        "tracker/programmes/restrictions.html",
        {
            "patient": patient,
            "form": form,
            "in_force": in_force,
            "past": past,
            "can_edit": can_edit,
        },
    )


# The library --------------------------------------------------------------------------------


@care_staff_required
@require_GET
def exercise_library(request):
    exercises = library_for(request.user.clinic).select_related("created_by")
    return render(request, "tracker/programmes/library.html", {"exercises": exercises})


physio_required = role_required(Role.PHYSIO)


@physio_required
@require_http_methods(["GET", "POST"])
def exercise_add(request):
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        exercise = form.save_for(request.user.clinic, request.user)
        messages.success(request, _("%(name)s is in the library.") % {"name": exercise.name})
        return redirect("exercise-library")
    return render(request, "tracker/programmes/exercise_form.html", {"form": form})


@physio_required
@require_http_methods(["GET", "POST"])
def exercise_edit(request, exercise_id):
    """A physiotherapist edits the clinic exercises they wrote; the seeded library is fixed."""
    exercise = get_object_or_404(
        Exercise, public_id=exercise_id, clinic=request.user.clinic, created_by=request.user
    )
    form = ExerciseForm(request.POST or None, instance=exercise)
    if request.method == "POST" and form.is_valid():
        form.save_for(request.user.clinic, request.user)
        messages.success(request, _("%(name)s is saved.") % {"name": exercise.name})
        return redirect("exercise-library")
    return render(
        request, "tracker/programmes/exercise_form.html", {"form": form, "exercise": exercise}
    )
