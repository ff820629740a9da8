-- Applications for posts advertised during the year: one row per application, per trust
-- and year. Ingest has already normalised codes and flags (docs/raw-zone.md), so this
-- model only names and casts, pinning each column to its documented type. Column names
-- are those of the raw-zone contract.

with

source as (

    select * from {{ source('recruitment', 'recruitment') }}

),

renamed as (

    select
        -- submission
        cast(org_code as {{ dbt.type_string() }}) as org_code,
        cast(reporting_year as {{ dbt.type_string() }}) as reporting_year,
        cast(source_row as bigint) as source_row,

        -- identifiers
        cast(application_id as {{ dbt.type_string() }}) as application_id,
        cast(vacancy_id as {{ dbt.type_string() }}) as vacancy_id,

        -- post
        cast(pay_band as {{ dbt.type_string() }}) as pay_band,

        -- applicant's protected characteristics
        cast(ethnic_category_code as {{ dbt.type_string() }}) as ethnic_category_code,
        cast(disability as {{ dbt.type_string() }}) as disability,
        cast(sex as {{ dbt.type_string() }}) as sex,

        -- outcome
        cast(shortlisted as boolean) as shortlisted,
        cast(appointed as boolean) as appointed

    from source

)

select * from renamed
