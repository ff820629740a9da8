-- Violence and aggression incidents against staff: one row per incident, per trust and
-- year. Ingest has already normalised dates, codes and flags and dropped the free-text
-- description (docs/raw-zone.md), so this model only names and casts, pinning each
-- column to its documented type. Column names are those of the raw-zone contract.

with

source as (

    select * from {{ source('incidents', 'incidents') }}

),

renamed as (

    select
        -- submission
        cast(org_code as {{ dbt.type_string() }}) as org_code,
        cast(reporting_year as {{ dbt.type_string() }}) as reporting_year,
        cast(source_row as bigint) as source_row,

        -- identifiers (pseudonyms)
        cast(incident_id as {{ dbt.type_string() }}) as incident_id,
        cast(victim_person_id as {{ dbt.type_string() }}) as victim_person_id,

        -- incident
        cast(incident_date as date) as incident_date,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(perpetrator as {{ dbt.type_string() }}) as perpetrator,
        cast(harm_level as {{ dbt.type_string() }}) as harm_level,
        cast(staff_group_code as {{ dbt.type_string() }}) as staff_group_code,
        cast(reported_to_police as boolean) as reported_to_police

    from source

)

select * from renamed
