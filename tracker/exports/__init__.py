"""Reports and exports of a patient's record: the PDF for the clinic visit, CSV, FHIR R4 and
the patient's own copy of their data.

Every number comes from `tracker.trends.series` (through `tracker.charts.patient_charts` and
`tracker.trends.wording`); these modules only lay it out. Views and the `export_report`
command write the access-log row; nothing here reads a request.
"""
