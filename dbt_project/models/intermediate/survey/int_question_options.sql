-- The staff survey question map, one row per question and response option.
--
-- The seed lists a question's options in one cell ('Never|1-2|3-5|...'); splitting it
-- with dbt's split_part against a short list of positions keeps the SQL portable.

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
        {{ dbt.split_part(
            'question_map.response_options', "'|'", 'option_positions.option_position'
        ) }} as response_option,
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
                        {{ dbt.split_part('option_scores', "'|'", 'option_position') }}
                        as {{ type_double() }}
                    )
        end as option_score

    from options
    where coalesce(response_option, '') <> ''

)

select * from classified
