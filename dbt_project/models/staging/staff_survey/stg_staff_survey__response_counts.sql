-- NHS Staff Survey response counts: one row per question, breakdown group and answer,
-- per trust and year. Ingest has already trimmed and normalised the text
-- (docs/raw-zone.md), so this model only names and casts, pinning each column to its
-- documented type. Column names are those of the raw-zone contract (`group` arrives
-- already renamed to respondent_group, because group is an SQL keyword).

with

source as (

    select * from {{ source('staff_survey', 'staff_survey') }}

),

renamed as (

    select
        -- submission
        cast(org_code as {{ dbt.type_string() }}) as org_code,
        cast(reporting_year as {{ dbt.type_string() }}) as reporting_year,
        cast(source_row as bigint) as source_row,
        cast(survey_year as integer) as survey_year,

        -- question and answer
        cast(question_code as {{ dbt.type_string() }}) as question_code,
        cast(breakdown as {{ dbt.type_string() }}) as breakdown,
        cast(respondent_group as {{ dbt.type_string() }}) as respondent_group,
        cast(response_option as {{ dbt.type_string() }}) as response_option,

        -- count
        cast(responses as bigint) as responses

    from source

)

select * from renamed
