"""The care team's work: caseload, enrolment, patients' questions, erasure, contact numbers."""
