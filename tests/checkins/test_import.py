from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from tracker.models import CheckIn, CheckInRevision, Source

HEADER = (
    "date,back_pain,leg_pain,leg_side,answers,temperature_c,walking_minutes,opioid_doses,"
    "sleep_disturbance,note\n"
)


def write(tmp_path, body):
    path = tmp_path / "diary.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def days_ago(patient, n):
    return (patient.local_date() - timedelta(days=n)).isoformat()


def test_import_records_each_row_through_the_same_path(tmp_path, patient):
    body = (
        f"{days_ago(patient, 2)},5,3,left,numbness_tingling:left;incision_pain,,15,1,4,Sore\n"
        f"{days_ago(patient, 3)},6,4,both,feverish,38.1,10,2,5,\n"
    )
    call_command("import_checkins", str(write(tmp_path, body)), "--patient", "patient@clinic.test")
    first, second = CheckIn.objects.filter(patient=patient).order_by("day")
    assert first.day.isoformat() == days_ago(patient, 3)
    assert first.safety["feverish"] is True and first.safety["bladder_change"] is False
    assert str(first.temperature_c) == "38.1"
    assert second.symptoms == {"numbness_tingling": "left", "incision_pain": ""}
    assert second.note == "Sore"
    assert set(CheckInRevision.objects.values_list("source", flat=True)) == {Source.IMPORT}


def test_import_twice_is_applied_once(tmp_path, patient):
    path = write(tmp_path, f"{days_ago(patient, 2)},5,3,left,,,15,1,4,\n")
    call_command("import_checkins", str(path), "--patient", "patient@clinic.test")
    call_command("import_checkins", str(path), "--patient", "patient@clinic.test")
    assert CheckIn.objects.count() == 1
    assert CheckInRevision.objects.count() == 1


def test_empty_cells_mean_not_answered(tmp_path, patient):
    call_command(
        "import_checkins",
        str(write(tmp_path, f"{days_ago(patient, 1)},,,,,,,,,\n")),
        "--patient",
        "patient@clinic.test",
    )
    checkin = CheckIn.objects.get()
    assert checkin.back_pain is None and checkin.walking_minutes is None


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("{d},11,3,left,,,15,1,4,", "back_pain"),
        ("{d},5,3,left,made_up_code,,15,1,4,", "made_up_code"),
        ("{d},5,3,left,feverish,60,15,1,4,", "temperature_c"),
        ("2999-01-01,5,3,left,,,15,1,4,", "in the future"),
        ("01/02/2026,5,3,left,,,15,1,4,", "YYYY-MM-DD"),
        ("{d},5,3,left,incision_pain:left,,15,1,4,", "side"),
    ],
)
def test_a_bad_row_is_reported_by_line_and_nothing_is_saved(tmp_path, patient, capsys, row, reason):
    good = f"{days_ago(patient, 5)},5,3,left,,,15,1,4,\n"
    path = write(tmp_path, good + row.format(d=days_ago(patient, 2)) + "\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_checkins", str(path), "--patient", "patient@clinic.test")
    err = capsys.readouterr().err
    assert ":3:" in err and reason in err
    assert not CheckIn.objects.exists()


def test_duplicate_dates_are_refused(tmp_path, patient, capsys):
    d = days_ago(patient, 2)
    with pytest.raises(CommandError):
        call_command(
            "import_checkins",
            str(write(tmp_path, f"{d},5,3,left,,,,,,\n{d},4,3,left,,,,,,\n")),
            "--patient",
            "patient@clinic.test",
        )
    assert "appears twice" in capsys.readouterr().err


def test_unknown_patient_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="No patient"):
        call_command("import_checkins", str(write(tmp_path, "")), "--patient", "nobody@clinic.test")


def test_unknown_column_is_refused(tmp_path, patient):
    path = tmp_path / "diary.csv"
    path.write_text("date,pain\n2026-01-01,5\n")
    with pytest.raises(CommandError):
        call_command("import_checkins", str(path), "--patient", "patient@clinic.test")
