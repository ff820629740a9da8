"""Which trust sends which file variations and planted invalid rows.

Chosen by the trust's position in the configuration, never by its code, so any
ICS gets the same spread: the first trust (and every fifth after it) sends
plain files, the next four each send a different mix. A one-trust ICS is all
plain; a two-trust ICS has one plain and one varied trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edi_platform.generator.formats import FileStyle

CRLF = "\r\n"


@dataclass(frozen=True)
class TrustPlan:
    styles: dict[str, FileStyle] = field(default_factory=dict)  # by extract; absent = plain
    invalid: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kinds planted, by extract

    def style(self, extract: str) -> FileStyle:
        return self.styles.get(extract, FileStyle())


PLANS: tuple[TrustPlan, ...] = (
    TrustPlan(),
    # ESR and recruitment exports from Windows tools: Windows-1252, CRLF, £ amounts,
    # ESR report headers, codes with descriptions, Yes/No, UK dates.
    TrustPlan(
        styles={
            "esr_staff": FileStyle(
                encoding="cp1252",
                line_ending=CRLF,
                headers="esr",
                codes="code_description",
                flags="Yes/No",
                dates="uk",
                money="pounds",
            ),
            "recruitment": FileStyle(
                encoding="cp1252",
                line_ending=CRLF,
                headers="esr",
                codes="code_description",
                flags="Yes/No",
            ),
            "staff_survey": FileStyle(line_ending=CRLF),
            "incidents": FileStyle(
                encoding="cp1252",
                line_ending=CRLF,
                codes="code_description",
                flags="Yes/No",
                dates="uk",
            ),
        },
        invalid={"esr_staff": ("fte_zero", "unknown_pay_band", "invalid_date_of_birth")},
    ),
    # Saved from Excel: UTF-8 with BOM, descriptions instead of codes, TRUE/FALSE, extra columns.
    TrustPlan(
        styles={
            "esr_staff": FileStyle(
                encoding="utf-8-sig",
                codes="description",
                flags="TRUE/FALSE",
                extra_column="cost_centre",
            ),
            "recruitment": FileStyle(
                encoding="utf-8-sig",
                codes="description",
                flags="TRUE/FALSE",
                extra_column="advert_source",
            ),
            "staff_survey": FileStyle(encoding="utf-8-sig"),
            "incidents": FileStyle(encoding="utf-8-sig", codes="description", flags="TRUE/FALSE"),
        },
        invalid={
            "recruitment": (
                "appointed_not_shortlisted",
                "unknown_pay_band",
                "appointed_not_shortlisted",
            )
        },
    ),
    # A data warehouse export: 1/0 flags, UK dates, upper-case headers, no optional
    # columns, trailing blank lines; the incident system exports Excel.
    TrustPlan(
        styles={
            "esr_staff": FileStyle(
                headers="upper_hyphen", flags="1/0", dates="uk", omit_optional=True
            ),
            "recruitment": FileStyle(headers="upper_hyphen", flags="1/0", trailing_blank_lines=2),
            "staff_survey": FileStyle(headers="upper_hyphen", trailing_blank_lines=1),
            "incidents": FileStyle(file_type="xlsx", headers="esr", flags="1/0"),
        },
        invalid={"incidents": ("incident_outside_year", "incident_outside_year")},
    ),
    # A mix: £ amounts in UTF-8, lower-case y/n, ESR headers, extra columns.
    TrustPlan(
        styles={
            "esr_staff": FileStyle(
                headers="esr", flags="y/n", money="pounds", extra_column="notes"
            ),
            "recruitment": FileStyle(flags="y/n", codes="code_description"),
            "staff_survey": FileStyle(headers="esr"),
            "incidents": FileStyle(flags="y/n", dates="uk", extra_column="location"),
        },
        invalid={
            "esr_staff": ("fte_zero",),
            "recruitment": ("unknown_pay_band",),
            "incidents": ("invalid_incident_date", "incident_outside_year"),
        },
    ),
)


def plan_for(position: int) -> TrustPlan:
    return PLANS[position % len(PLANS)]
