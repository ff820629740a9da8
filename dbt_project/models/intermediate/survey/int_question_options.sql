-- The staff survey question map, one row per question and response option.
--
-- The seed lists a question's options in one cell ('Never|1-2|3-5|...'); splitting it
-- with split_part against a short list of positions keeps the SQL portable. It is the
-- plain split_part function, which DuckDB, PostgreSQL and Spark share, not dbt's macro:
-- dbt-postgres's version compares the position with zero while rendering, so it takes
-- only a literal, not a column. A position past the last option gives '' (filtered out
-- below).

with

question_map as (

    select * from {{ ref('question_map') }}

),

-- no survey question has more than twelve response options
option_positions as (

    {% for position in range(1, 13) %}
        select {{ position }} as option_position
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

options as (

    select
        question_map.survey_year,
        question_map.metric_id,
        question_map.question_code,
        option_positions.option_position,
        split_part(
            question_map.response_options, '|', option_positions.option_position
        ) as response_option,
        question_map.event_options,
        question_map.option_scores

    from question_map
    cross join option_positions

),

classified as (

    select
        survey_year,
        metric_id,
        question_code,
        option_position,
        response_option,
        -- an option is the event when it appears, whole, in the event list
        coalesce(
            {{ dbt.position(
                dbt.concat(["'|'", 'response_option', "'|'"]),
                dbt.concat(["'|'", "coalesce(event_options, '')", "'|'"])
            ) }} > 0,
            false
        ) as is_event,
        case
            when coalesce(option_scores, '') <> ''
                then cast(
                        nullif(split_part(option_scores, '|', option_position), '')
                        as {{ type_double() }}
                    )
        end as option_score

    from options
    where coalesce(response_option, '') <> ''

)

select * from classified
