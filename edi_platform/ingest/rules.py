"""Every rule id ingest reports, with what it means for the trust's data submitter.

File-level rules (the whole file is refused, the partition keeps its previous
data), row-level rules (the row is quarantined, the rest loads) and warnings
(the row loads, the value is set to null or ignored) share one vocabulary, so
the quality report, the quarantine and the Dagster checks all say the same.
"""

from __future__ import annotations

FILE_RULES = {
    "file_not_found": "The landing file does not exist.",
    "file_name": "The file must be named <extract>.csv or <extract>.xlsx.",
    "outside_landing_folder": (
        "The path leads out of the trust-year's landing folder (through '..' or a link): "
        "only files directly in landing/<year>/<org>/ are read."
    ),
    "file_too_large": "The file is larger than the configured limit and was not read.",
    "empty_file": "The file is empty.",
    "not_a_text_file": "The file is not a text CSV file (it contains binary data).",
    "unreadable_encoding": "The file is not UTF-8 or Windows-1252 text: save it as 'CSV UTF-8'.",
    "unreadable_workbook": "The file could not be opened as an Excel .xlsx workbook.",
    "unbalanced_quotes": 'A quoted field is never closed: a " character is missing or stray.',
    "malformed_csv": "The file could not be read as comma-separated values.",
    "wrong_delimiter": (
        "The file is separated by semicolons, tabs or vertical bars, not commas: "
        "save it as 'CSV (Comma delimited)'."
    ),
    "truncated_file": (
        "The file stops part-way through its last row: it was cut short, so rows may be missing."
    ),
    "data_not_on_first_sheet": (
        "The workbook's first sheet is not the extract, but another sheet is: only the first "
        "sheet is read."
    ),
    "several_data_sheets": (
        "More than one sheet of the workbook holds rows of the extract: only the first sheet "
        "is read, so every row must be on it."
    ),
    "missing_column": "A required column is missing from the header row.",
    "duplicate_column": "Two header cells name the same column (after ignoring case, spaces and punctuation).",
    "no_data_rows": "The file has a header row but no data rows.",
    "org_mismatch": "The org_code in the file is not the trust whose folder the file was sent to.",
    "wrong_survey_year": "survey_year is not the staff survey year of this reporting year.",
}

ROW_RULES = {
    "blank_required": "A required value is blank.",
    "not_a_flag": "The value is not a yes/no flag: use Y/N, Yes/No, 1/0 or TRUE/FALSE.",
    "unparseable_date": "The value is not a date: use YYYY-MM-DD or DD/MM/YYYY.",
    "not_a_number": "The value is not a number.",
    "unknown_code": "The value is not one of the codes or descriptions this column allows.",
    "out_of_range": "The value is outside the range this column allows.",
    "duplicate_key": "The same key appears on more than one row; every such row is held back.",
    "not_one_primary_assignment": (
        "Each person (employee_number) needs exactly one primary assignment that loads; "
        "all of this person's rows are held back."
    ),
    "board_role_without_board_member": (
        "board_voting and board_executive can be Y only when board_member is Y."
    ),
    "appointed_not_shortlisted": "appointed can be Y only when shortlisted is Y.",
    "outside_reporting_year": "incident_date is not inside the reporting year (1 April to 31 March).",
    "group_not_in_breakdown": (
        "group does not belong to the breakdown: all for overall, White/BME for ethnicity, "
        "Disabled/Non-disabled for disability, Male/Female for sex."
    ),
    "too_many_fields": (
        "The row has more fields than the header: usually a comma in a value that is not "
        "inside double quotes."
    ),
}

WARNING_RULES = {
    "unknown_code": "The value was not recognised and is loaded as not recorded (null).",
    "unknown_column": "Columns that are not in the contract were ignored.",
}

PARTITION_RULES = {
    "too_many_rejected": (
        "More rows were rejected than the configured share allows, so nothing was loaded."
    ),
}
