"""The effects planted in the synthetic ICS, and their sizes.

Each effect is true in expectation: a large enough sample recovers it within
sampling error, which is what the platform's metric tests check against.
Ratios are planted as ratios of probabilities; the base rates around them
vary by trust (see ``traits.py``) but the ratios do not, so pooled and
per-trust figures estimate the same number. docs/synthetic-data.md says how
to recover each one.
"""

from __future__ import annotations

# -- Workforce records (ESR) -----------------------------------------------------------

# wres_1: the BME share of staff at Band 8c and above (8c, 8d, 9, VSM) is this
# multiple of the trust's overall workforce BME share.
BME_SHARE_8C_PLUS_RATIO = 0.5
# wres_9: board BME share relative to the workforce (executives are VSM, so
# they follow the 8c+ ratio; non-executives are recruited from outside).
BME_SHARE_EXECUTIVE_RATIO = BME_SHARE_8C_PLUS_RATIO
BME_SHARE_NON_EXECUTIVE_RATIO = 0.7

# wres_3: BME staff enter the formal disciplinary process this many times as often as White.
DISCIPLINARY_RL_BME = 1.5
# wdes_3: Disabled staff enter the formal capability process this many times as often.
CAPABILITY_RL_DISABLED = 2.0
# wres_4: White staff access non-mandatory training this many times as often as BME.
TRAINING_RL_WHITE = 1.15

# -- Recruitment --------------------------------------------------------------------------

# wres_2: White shortlisted applicants are appointed this many times as often as BME.
APPOINTMENT_RL_WHITE = 1.5
# wdes_2: Non-disabled shortlisted applicants are appointed this many times as often as Disabled.
APPOINTMENT_RL_NON_DISABLED = 1.25
# Context (no metric): White applicants are shortlisted this many times as often as BME.
SHORTLISTING_RL_WHITE = 1.2

# -- Pay ------------------------------------------------------------------------------------

# Clinical Excellence Awards: share of consultants holding one, and the mean
# award in 2023-24 pounds, by sex. They drive the bonus gap.
CEA_SHARE = {"Male": 0.25, "Female": 0.15}
CEA_MEAN_AWARD = {"Male": 18_000.0, "Female": 12_000.0}
# Extra years of grade experience men bring to medical grades (the within-grade
# part of the medical gap; the rest is grade mix). Agenda for Change staff get
# none, so AfC within-band gaps are zero in expectation.
MEDICAL_EXPERIENCE_ADVANTAGE_MALE_YEARS = {
    "Consultant": 4.0,
    "Non-consultant career grade": 3.0,
    "Trainee grade": 1.0,
}
# What the grade mix and experience produce (measured on a large sample; the
# test suite re-measures it): the mean hourly sex pay gap among medical staff.
MEDICAL_SEX_MEAN_HOURLY_GAP_PCT = 16.0

# -- Staff survey -----------------------------------------------------------------------

# Per cent of respondents with the event, by ethnic group (Unknown as White).
SURVEY_ETHNICITY_PCT = {
    "hba_staff_any": {"White": 22.0, "BME": 28.0},  # wres_6
    "equal_opportunities": {"White": 60.0, "BME": 47.0},  # wres_7, wdes_5
    "discrimination": {"White": 6.0, "BME": 14.0},  # wres_8
}
# Relative likelihood of the event, BME vs White, where the base rate is set
# by trust type instead (wres_5: harassment from patients and the public).
SURVEY_ETHNICITY_RATIO = {"hba_public": 1.1}
# Relative likelihood of the event, Disabled vs Non-disabled respondents.
SURVEY_DISABILITY_RATIO = {
    "hba_public": 1.3,  # wdes_4a_i
    "hba_staff_any": 1.5,  # wres_6 item; 4a_ii and 4a_iii share it
    "reported": 0.9,  # wdes_4b (lower is worse here)
    "equal_opportunities": 0.82,  # wdes_5
    "presenteeism_pressure": 1.4,  # wdes_6
    "valued": 0.78,  # wdes_7
    "physical_public": 1.4,
    "physical_managers": 1.5,
    "physical_colleagues": 1.5,
    "sexual_staff": 1.3,
}
# wdes_8: per cent of Disabled respondents who needed adjustments and got them.
ADJUSTMENTS_MADE_PCT = 72.0
# wdes_9a: mean engagement item score (0-10) by survey disability group.
ENGAGEMENT_SCORE = {"Non-disabled": 7.0, "Disabled": 6.5}
# Share of respondents reporting a long-term condition (far above ESR declaration).
SURVEY_DISABLED_SHARE = 0.22

# -- Violence and aggression ------------------------------------------------------------

# Incidents per 1,000 workforce WTE a year in 2023-24, by trust type: each trust
# draws its rate uniformly from its type's range, and the rate moves by
# INCIDENT_TREND a year either side of 2023-24.
INCIDENT_RATE_RANGE = {
    "acute": (60.0, 90.0),
    "mental_health": (150.0, 300.0),
    "ambulance": (80.0, 150.0),
    "community": (20.0, 40.0),
}
INCIDENT_TREND = 0.03
# va_victim_rate: incidents per BME workforce member relative to White.
VICTIM_RL_BME = 1.3
# Share of incidents whose victim number links to that year's ESR.
VICTIM_LINKED_SHARE = 0.70


PLANTED_EFFECTS: dict[str, object] = {
    "wres_1_bme_share_8c_plus_vs_workforce": BME_SHARE_8C_PLUS_RATIO,
    "wres_2_relative_likelihood": APPOINTMENT_RL_WHITE,
    "wres_3_relative_likelihood": DISCIPLINARY_RL_BME,
    "wres_4_relative_likelihood": TRAINING_RL_WHITE,
    "wres_5_bme_vs_white_ratio": SURVEY_ETHNICITY_RATIO["hba_public"],
    "wres_6_pct_white": SURVEY_ETHNICITY_PCT["hba_staff_any"]["White"],
    "wres_6_pct_bme": SURVEY_ETHNICITY_PCT["hba_staff_any"]["BME"],
    "wres_7_pct_white": SURVEY_ETHNICITY_PCT["equal_opportunities"]["White"],
    "wres_7_pct_bme": SURVEY_ETHNICITY_PCT["equal_opportunities"]["BME"],
    "wres_8_pct_white": SURVEY_ETHNICITY_PCT["discrimination"]["White"],
    "wres_8_pct_bme": SURVEY_ETHNICITY_PCT["discrimination"]["BME"],
    "wres_9_bme_share_executive_vs_workforce": BME_SHARE_EXECUTIVE_RATIO,
    "wres_9_bme_share_non_executive_vs_workforce": BME_SHARE_NON_EXECUTIVE_RATIO,
    "wdes_2_relative_likelihood": APPOINTMENT_RL_NON_DISABLED,
    "wdes_3_relative_likelihood": CAPABILITY_RL_DISABLED,
    "wdes_4a_i_disabled_vs_non_disabled_ratio": SURVEY_DISABILITY_RATIO["hba_public"],
    "wdes_4a_ii_disabled_vs_non_disabled_ratio": SURVEY_DISABILITY_RATIO["hba_staff_any"],
    "wdes_4a_iii_disabled_vs_non_disabled_ratio": SURVEY_DISABILITY_RATIO["hba_staff_any"],
    "wdes_4b_disabled_vs_non_disabled_ratio": SURVEY_DISABILITY_RATIO["reported"],
    "wdes_5_disabled_vs_non_disabled_ratio": SURVEY_DISABILITY_RATIO["equal_opportunities"],
    "wdes_6_disabled_vs_non_disabled_ratio": SURVEY_DISABILITY_RATIO["presenteeism_pressure"],
    "wdes_7_disabled_vs_non_disabled_ratio": SURVEY_DISABILITY_RATIO["valued"],
    "wdes_8_pct_disabled": ADJUSTMENTS_MADE_PCT,
    "wdes_9a_score_non_disabled": ENGAGEMENT_SCORE["Non-disabled"],
    "wdes_9a_score_disabled": ENGAGEMENT_SCORE["Disabled"],
    "survey_disabled_share": SURVEY_DISABLED_SHARE,
    "sex_pay_gap_medical_mean_hourly_pct": MEDICAL_SEX_MEAN_HOURLY_GAP_PCT,
    "sex_pay_gap_afc_within_band_mean_hourly_pct": 0.0,
    "cea_share_of_consultants_male": CEA_SHARE["Male"],
    "cea_share_of_consultants_female": CEA_SHARE["Female"],
    "cea_mean_award_male_2023_24": CEA_MEAN_AWARD["Male"],
    "cea_mean_award_female_2023_24": CEA_MEAN_AWARD["Female"],
    "va_incidents_per_1000_wte_range": INCIDENT_RATE_RANGE,
    "va_incident_trend_per_year": INCIDENT_TREND,
    "va_victim_rate_relative_likelihood_bme": VICTIM_RL_BME,
    "va_victim_rate_relative_likelihood_disabled": 1.0,
    "va_linked_share": VICTIM_LINKED_SHARE,
}
