-- Workforce Race Equality Standard indicators 1 to 9, for every trust, reporting year and
-- the system (ICS, org_code = the ICB code), in the long shape shared by the indicator
-- marts (metrics.md): one row per org_code x reporting_year x metric_id x breakdown x
-- group, with the counts behind each figure and its 95% interval.
--
-- Every figure is computed from counts (macros/indicators.sql). The system row pools the
-- trusts' counts (events and populations, respondents for the survey) before dividing,
-- so it is the ICS's own figure, not an average of trust figures.
--
--   wres_1    % White / BME / Unknown in each band, clinical and non-clinical, and overall
--   wres_2    appointment from shortlisting, White over BME
--   wres_3    entering the formal disciplinary process, BME over White
--   wres_4    accessing non-mandatory training / CPD, White over BME
--   wres_5-8  staff survey, % of White, BME and all respondents
--   wres_9    BME % of the board minus BME % of the workforce

{%- set icb_code = var('icb_code') %}

with

workforce_band_counts as (

    select * from {{ ref('int_workforce_band_counts') }}
    where metric_id = 'wres_1'

),

relative_likelihood_counts as (

    select * from {{ ref('int_relative_likelihood_counts') }}
    where metric_id in ('wres_2', 'wres_3', 'wres_4')

),

board_counts as (

    select * from {{ ref('int_board_counts') }}
    where metric_id = 'wres_9'

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

-- the board and the workforce are the two "groups" of WRES 9; the numerator is the BME
-- members and the denominator everyone, Unknown members included
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
        ['wres_5', 'wres_6', 'wres_7', 'wres_8'],
        ['White', 'BME', 'all']
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

),

-- figures

band_shares as (

    {{ rate_rows('pooled_band_counts', unit='percent') }}

),

-- WRES 2 and 4 ask whether White staff are more likely than BME; WRES 3 the reverse
white_over_bme as (

    {{ relative_likelihood_rows(
        'pooled_event_counts', 'White', 'BME', metric_ids=['wres_2', 'wres_4']
    ) }}

),

bme_over_white as (

    {{ relative_likelihood_rows('pooled_event_counts', 'BME', 'White', metric_ids=['wres_3']) }}

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

indicators as (

    select * from band_shares
    union all
    select * from white_over_bme
    union all
    select * from bme_over_white
    union all
    select * from representation_shares
    union all
    select * from representation_differences
    union all
    select * from survey_shares

),

final as (

    select {{ indicator_columns() }}
    from indicators

)

select * from final
