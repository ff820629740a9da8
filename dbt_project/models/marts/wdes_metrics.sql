-- Workforce Disability Equality Standard metrics 1 to 8, 9a and 10, for every trust,
-- reporting year and the system (ICS, org_code = the ICB code), in the long shape shared
-- by the indicator marts (metrics.md): one row per org_code x reporting_year x metric_id
-- x breakdown x group, with the counts behind each figure and its 95% interval.
--
-- Every figure is computed from counts (macros/indicators.sql). The system row pools the
-- trusts' counts before dividing; for the engagement score (wdes_9a) it is the
-- respondent-weighted mean of the trusts' scores (score x respondents summed, divided by
-- the respondents summed), since only scores, not item answers, are pooled.
--
--   wdes_1          % Disabled / Non-disabled / Unknown in each band, and overall
--   wdes_2          appointment from shortlisting, Non-disabled over Disabled
--   wdes_3          entering the formal capability process, Disabled over Non-disabled
--   wdes_4a-wdes_7  staff survey, % of Disabled, Non-disabled and all respondents
--   wdes_8          staff survey, % of Disabled respondents (their question only)
--   wdes_9a         staff engagement score 0-10
--   wdes_10         Disabled % of the board minus Disabled % of the workforce

{%- set icb_code = var('icb_code') %}

with

workforce_band_counts as (

    select * from {{ ref('int_workforce_band_counts') }}
    where metric_id = 'wdes_1'

),

relative_likelihood_counts as (

    select * from {{ ref('int_relative_likelihood_counts') }}
    where metric_id in ('wdes_2', 'wdes_3')

),

board_counts as (

    select * from {{ ref('int_board_counts') }}
    where metric_id = 'wdes_10'

),

survey_metrics as (

    select * from {{ ref('int_survey_metrics') }}

),

-- counts in one shape (macros/indicators.sql): numerator and denominator per group

band_counts as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        headcount as numerator,
        breakdown_headcount as denominator
    from workforce_band_counts

),

event_counts as (

    select
        org_code,
        reporting_year,
        metric_id,
        'overall' as breakdown,
        group_name,
        events as numerator,
        population as denominator
    from relative_likelihood_counts

),

-- the board and the workforce are the two "groups" of WDES 10; the numerator is the
-- Disabled members and the denominator everyone, Unknown members included
representation_counts as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        population as group_name,
        group_members as numerator,
        members as denominator
    from board_counts

),

survey_counts as (

    {{ survey_counts(
        'survey_metrics',
        ['wdes_4a_i', 'wdes_4a_ii', 'wdes_4a_iii', 'wdes_4b', 'wdes_5', 'wdes_6', 'wdes_7'],
        ['Disabled', 'Non-disabled', 'all']
    ) }}

),

-- WDES 8 asks Disabled staff only
adjustment_counts as (

    {{ survey_counts('survey_metrics', ['wdes_8'], ['Disabled']) }}

),

engagement_counts as (

    {{ survey_counts(
        'survey_metrics', ['wdes_9a'], ['Disabled', 'Non-disabled', 'all'], scored=true
    ) }}

),

-- trusts' counts plus the system's pooled counts

pooled_band_counts as (

    {{ union_system_rows('band_counts', icb_code) }}

),

pooled_event_counts as (

    {{ union_system_rows('event_counts', icb_code) }}

),

pooled_representation_counts as (

    {{ union_system_rows('representation_counts', icb_code) }}

),

pooled_survey_counts as (

    {{ union_system_rows('survey_counts', icb_code) }}

    union all

    {{ union_system_rows('adjustment_counts', icb_code) }}

),

pooled_engagement_counts as (

    {{ union_system_rows(
        'engagement_counts', icb_code, sum_columns=['numerator', 'denominator', 'score_total']
    ) }}

),

-- figures

band_shares as (

    {{ rate_rows('pooled_band_counts', unit='percent') }}

),

-- WDES 2 asks whether Non-disabled applicants are more likely to be appointed; WDES 3
-- whether Disabled staff are more likely to enter the capability process
non_disabled_over_disabled as (

    {{ relative_likelihood_rows(
        'pooled_event_counts', 'Non-disabled', 'Disabled', metric_ids=['wdes_2']
    ) }}

),

disabled_over_non_disabled as (

    {{ relative_likelihood_rows(
        'pooled_event_counts', 'Disabled', 'Non-disabled', metric_ids=['wdes_3']
    ) }}

),

representation_shares as (

    {{ rate_rows('pooled_representation_counts', unit='percent') }}

),

representation_differences as (

    {{ difference_rows('representation_shares', 'board', 'workforce') }}

),

survey_shares as (

    {{ rate_rows('pooled_survey_counts', unit='percent') }}

),

engagement_scores as (

    {{ score_rows('pooled_engagement_counts') }}

),

metrics as (

    select * from band_shares
    union all
    select * from non_disabled_over_disabled
    union all
    select * from disabled_over_non_disabled
    union all
    select * from representation_shares
    union all
    select * from representation_differences
    union all
    select * from survey_shares
    union all
    select * from engagement_scores

),

final as (

    select {{ indicator_columns() }}
    from metrics

)

select * from final
