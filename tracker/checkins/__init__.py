"""Everything a patient records: the daily check-in (form, recording, edit window, offline,
diary import) and questionnaire answers."""
