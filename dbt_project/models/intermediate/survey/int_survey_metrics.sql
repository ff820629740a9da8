-- Staff survey results per metric: one row per trust, year, metric, breakdown and group.
--
-- The survey extract holds response counts per question and option; the question map
-- says which question feeds each metric in each survey year, which options are valid
-- answers (all listed options) and which count as the event. An option the map does not
-- list (e.g. 'No adjustment required') is not a valid answer. A metric whose question is
-- not in the map for that year, or not in the trust's extract, gets no row: absent, not
-- zero. Scored metrics (the engagement score) average the mean score of their items.

with

responses as (

    select * from {{ ref('stg_staff_survey__response_counts') }}

),

question_options as (

    select * from {{ ref('int_question_options') }}

),

answers as (

    select
        responses.org_code,
        responses.reporting_year,
        responses.survey_year,
        question_options.metric_id,
        question_options.question_code,
        responses.breakdown,
        responses.respondent_group,
        responses.responses,
        question_options.is_event,
        question_options.option_score

    from responses
    inner join question_options
        on
            responses.survey_year = question_options.survey_year
            and responses.question_code = question_options.question_code
            and lower(responses.response_option) = lower(question_options.response_option)

),

per_question as (

    select
        org_code,
        reporting_year,
        survey_year,
        metric_id,
        question_code,
        breakdown,
        respondent_group,
        sum(responses) as respondents,
        sum(case when is_event then responses else 0 end) as events,
        {{ safe_divide(
            'sum(case when option_score is not null then responses * option_score end)',
            'sum(case when option_score is not null then responses end)'
        ) }} as mean_score,
        max(case when option_score is not null then 1 else 0 end) = 1 as is_scored

    from answers
    group by
        org_code,
        reporting_year,
        survey_year,
        metric_id,
        question_code,
        breakdown,
        respondent_group

),

per_metric as (

    select
        org_code,
        reporting_year,
        survey_year,
        metric_id,
        breakdown,
        respondent_group,
        count(*) as question_count,
        -- the base of a scored metric is its largest item base
        max(respondents) as respondents,
        case when max(case when is_scored then 1 else 0 end) = 0 then sum(events) end as events,
        case when max(case when is_scored then 1 else 0 end) = 1 then avg(mean_score) end as score

    from per_question
    group by
        org_code,
        reporting_year,
        survey_year,
        metric_id,
        breakdown,
        respondent_group

)

select * from per_metric
