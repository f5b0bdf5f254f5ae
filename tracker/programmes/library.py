"""The seeded exercise library and the default restrictions of clinical-reference §6.

Plain data, so the data migration and the demo use the same definitions. Weeks are weeks
after surgery; an exercise belongs to weeks `phase_start_week` up to, not including,
`phase_end_week` (None: it continues). The physiotherapist edits every dose per patient.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

# §6 phases: 0–2 protection and walking; 2–6 activation; 6–12 dynamic stabilisation and
# conditioning; 12+ return to full activity and work.
PHASES = {
    "0-2": (0, 2),
    "2-6": (2, 6),
    "6-12": (6, 12),
    "12+": (12, None),
}

LIBRARY: list[dict] = [
    {
        "code": "walking",
        "name": "Walking programme",
        "phase_start_week": 0,
        "phase_end_week": None,
        "minutes": 10,
        "sessions_per_day": 3,
        "days_per_week": 7,
        "steps": (
            "Wear comfortable, supportive shoes.\n"
            "Walk on a flat, even surface at a relaxed pace, standing tall.\n"
            "Start with 5 to 10 minutes, several times a day.\n"
            "Add a minute or two each day, building to 20 to 30 minutes twice a day by "
            "weeks 3 to 4.\n"
            "Stop and rest if your leg pain or numbness gets worse."
        ),
        "cautions": "Avoid slopes, stairs with no rail and slippery ground in the first weeks.",
    },
    {
        "code": "ankle-pumps",
        "name": "Ankle pumps",
        "phase_start_week": 0,
        "phase_end_week": 2,
        "repetitions": 15,
        "sessions_per_day": 8,
        "days_per_week": 7,
        "steps": (
            "Lie on your back or sit with your legs straight out in front of you.\n"
            "Point both feet down, away from you, as far as is comfortable.\n"
            "Pull both feet up towards you as far as is comfortable.\n"
            "That is one repetition. Do 10 to 20, every waking hour."
        ),
        "cautions": "Tell your care team at once about a painful, swollen or red calf.",
    },
    {
        "code": "abdominal-bracing",
        "name": "Abdominal bracing (drawing in)",
        "phase_start_week": 1,
        "phase_end_week": 12,
        "repetitions": 10,
        "hold_seconds": 5,
        "sessions_per_day": 2,
        "days_per_week": 7,
        "steps": (
            "Lie on your back with your knees bent and feet flat.\n"
            "Breathe in, then as you breathe out gently draw your belly button in towards "
            "your spine.\n"
            "Hold for 5 to 10 seconds while breathing normally; your back stays still.\n"
            "Relax. Repeat 10 times."
        ),
        "cautions": "Do not hold your breath.",
    },
    {
        "code": "pelvic-tilts",
        "name": "Pelvic tilts",
        "phase_start_week": 2,
        "phase_end_week": 12,
        "sets": 1,
        "repetitions": 10,
        "sessions_per_day": 1,
        "days_per_week": 7,
        "steps": (
            "Lie on your back with your knees bent and feet flat.\n"
            "Tighten your stomach muscles and gently flatten the small of your back "
            "against the floor.\n"
            "Hold for a moment, then relax.\n"
            "Repeat 10 times, once or twice a day."
        ),
        "cautions": "Keep the movement small and slow; stop if it causes sharp pain.",
    },
    {
        "code": "heel-slides",
        "name": "Heel slides with bracing",
        "phase_start_week": 1,
        "phase_end_week": 6,
        "repetitions": 10,
        "each_side": True,
        "sessions_per_day": 1,
        "days_per_week": 7,
        "steps": (
            "Lie on your back with your knees bent and feet flat.\n"
            "Brace your stomach muscles gently.\n"
            "Slowly slide one heel along the floor until the leg is straight.\n"
            "Slide it back, keeping your back still.\n"
            "Do 10 with each leg, once or twice a day."
        ),
        "cautions": "Your back should not arch or twist.",
    },
    {
        "code": "bridges",
        "name": "Bridges",
        "phase_start_week": 3,
        "phase_end_week": 12,
        "sets": 1,
        "repetitions": 10,
        "hold_seconds": 3,
        "sessions_per_day": 1,
        "days_per_week": 7,
        "steps": (
            "Lie on your back with your knees bent and feet flat, hip-width apart.\n"
            "Brace your stomach muscles gently.\n"
            "Squeeze your buttocks and lift your hips until your body is in a straight line "
            "from knees to shoulders.\n"
            "Hold for 3 to 5 seconds, then lower slowly.\n"
            "Repeat 10 times; 1 to 2 sets."
        ),
        "cautions": "Do not push your hips higher than a straight line.",
    },
    {
        "code": "bird-dog",
        "name": "Four-point arm and leg lifts (bird-dog)",
        "phase_start_week": 4,
        "phase_end_week": 12,
        "repetitions": 10,
        "each_side": True,
        "sessions_per_day": 1,
        "days_per_week": 7,
        "steps": (
            "Kneel on your hands and knees, hands under shoulders, knees under hips.\n"
            "Brace your stomach muscles gently and keep your back flat.\n"
            "Slowly reach one arm forward, or one leg back, without letting your back move.\n"
            "Return, then do the other side. When this is easy, lift the opposite arm and "
            "leg together.\n"
            "Do 10 on each side."
        ),
        "cautions": "Only lift as far as you can keep your back level.",
    },
    {
        "code": "stretches",
        "name": "Hamstring, hip-flexor and calf stretches",
        "phase_start_week": 2,
        "phase_end_week": 12,
        "repetitions": 3,
        "hold_seconds": 30,
        "each_side": True,
        "sessions_per_day": 1,
        "days_per_week": 7,
        "steps": (
            "Hamstring: lie on your back and lift one straight leg with a towel around the "
            "foot until you feel a gentle stretch behind the thigh.\n"
            "Hip flexor: kneel on one knee with the other foot in front and gently move your "
            "weight forward until you feel a stretch at the front of the hip.\n"
            "Calf: stand facing a wall, one foot back with the heel down, and lean in.\n"
            "Hold each stretch 30 seconds, 3 times on each side."
        ),
        "cautions": "A stretch should feel gentle; stop if it brings on leg pain or tingling.",
    },
    {
        "code": "sit-to-stand",
        "name": "Sit-to-stand (mini squats)",
        "phase_start_week": 4,
        "phase_end_week": 12,
        "sets": 2,
        "repetitions": 10,
        "sessions_per_day": 1,
        "days_per_week": 7,
        "steps": (
            "Sit near the front of a firm chair with your feet hip-width apart.\n"
            "Lean forward a little from the hips, keeping your back straight.\n"
            "Stand up by pushing through your legs, without using your hands if you can.\n"
            "Sit down again slowly.\n"
            "Repeat 10 times; 2 sets."
        ),
        "cautions": "Use a chair with arms at first if your balance is unsure.",
    },
]


def install_library(exercise_model) -> int:
    """Create the seeded library exercises that are missing; returns how many were created.

    Takes the model class so the data migration can pass its historical model.
    """
    existing = set(
        exercise_model.objects.filter(clinic__isnull=True).values_list("code", flat=True)
    )
    missing = [exercise_model(**entry) for entry in LIBRARY if entry["code"] not in existing]
    exercise_model.objects.bulk_create(missing)
    return len(missing)


class DefaultRestriction(NamedTuple):
    kind: str
    text: str
    weeks: int | None  # after surgery; None: until lifted


# §6 default restrictions, surgeon-configurable per patient: defaults to confirm, not rules
# (Bono 2017 found no difference between 2 and 6 weeks of restriction) [E]. The length of
# "early on" for sitting is a design choice [D].
DEFAULT_RESTRICTIONS = [
    DefaultRestriction("bending", "No bending, lifting or twisting.", 6),
    DefaultRestriction("lifting", "Lift nothing heavier than 5 kg.", 6),
    DefaultRestriction("sitting", "Sit for no more than 30 minutes at a time.", 4),
    DefaultRestriction(
        "driving", "Do not drive, and do not drive while you take opioid painkillers.", 2
    ),
]


def default_restriction_until(surgery_date, weeks: int | None):
    return None if weeks is None else surgery_date + timedelta(weeks=weeks) - timedelta(days=1)
