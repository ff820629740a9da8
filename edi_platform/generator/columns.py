"""The contract's columns for each extract (shared/spec/extracts.md), with how each is written."""

from __future__ import annotations

# Kinds: text, integer, decimal, money, flag, date, ethnic (code), staff_group (code).
EXTRACT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "esr_staff": (
        ("org_code", "text"),
        ("employee_number", "text"),
        ("assignment_number", "text"),
        ("primary_assignment", "flag"),
        ("assignment_category", "text"),
        ("staff_group", "staff_group"),
        ("pay_band", "text"),
        ("ethnic_origin", "ethnic"),
        ("disability", "text"),
        ("sex", "text"),
        ("date_of_birth", "date"),
        ("religious_belief", "text"),
        ("sexual_orientation", "text"),
        ("fte", "decimal"),
        ("weekly_contracted_hours", "decimal"),
        ("ordinary_pay_period", "money"),
        ("pay_period_days", "integer"),
        ("full_pay_relevant", "flag"),
        ("bonus_pay_12m", "money"),
        ("board_member", "flag"),
        ("board_voting", "flag"),
        ("board_executive", "flag"),
        ("entered_disciplinary", "flag"),
        ("entered_capability", "flag"),
        ("nonmandatory_training", "flag"),
    ),
    "recruitment": (
        ("org_code", "text"),
        ("application_id", "text"),
        ("vacancy_id", "text"),
        ("pay_band", "text"),
        ("ethnic_origin", "ethnic"),
        ("disability", "text"),
        ("sex", "text"),
        ("shortlisted", "flag"),
        ("appointed", "flag"),
    ),
    "staff_survey": (
        ("org_code", "text"),
        ("survey_year", "integer"),
        ("question_code", "text"),
        ("breakdown", "text"),
        ("group", "text"),
        ("response_option", "text"),
        ("responses", "integer"),
    ),
    "incidents": (
        ("org_code", "text"),
        ("incident_id", "text"),
        ("incident_date", "date"),
        ("category", "text"),
        ("perpetrator", "text"),
        ("harm_level", "text"),
        ("staff_group", "staff_group"),
        ("reported_to_police", "flag"),
        ("victim_employee_number", "text"),
        ("description", "text"),
    ),
}
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "esr_staff": ("religious_belief", "sexual_orientation"),
    "incidents": ("victim_employee_number", "description"),
}


def column_names(extract: str) -> list[str]:
    return [name for name, _ in EXTRACT_COLUMNS[extract]]
