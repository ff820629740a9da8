-- Staff in post at the 31 March snapshot: one row per ESR assignment, per trust and year.
-- Ingest has already normalised codes, flags, dates and money (docs/raw-zone.md), so this
-- model only names and casts. The casts pin each column to its documented type: a Parquet
-- file in which a column happens to be all null, or was written as int64 rather than
-- int32, must not change the type downstream models see. Column names are those of the
-- raw-zone contract, so a column can be followed from the trust's file to the marts.

with

source as (

    select * from {{ source('esr', 'esr_staff') }}

),

renamed as (

    select
        -- submission
        cast(org_code as {{ dbt.type_string() }}) as org_code,
        cast(reporting_year as {{ dbt.type_string() }}) as reporting_year,
        cast(source_row as bigint) as source_row,

        -- identifiers (pseudonyms)
        cast(person_id as {{ dbt.type_string() }}) as person_id,
        cast(assignment_id as {{ dbt.type_string() }}) as assignment_id,

        -- assignment
        cast(is_primary_assignment as boolean) as is_primary_assignment,
        cast(assignment_category as {{ dbt.type_string() }}) as assignment_category,
        cast(staff_group_code as {{ dbt.type_string() }}) as staff_group_code,
        cast(pay_band as {{ dbt.type_string() }}) as pay_band,
        cast(fte as {{ type_double() }}) as fte,
        cast(weekly_contracted_hours as {{ type_double() }}) as weekly_contracted_hours,

        -- protected characteristics
        cast(ethnic_category_code as {{ dbt.type_string() }}) as ethnic_category_code,
        cast(disability as {{ dbt.type_string() }}) as disability,
        cast(sex as {{ dbt.type_string() }}) as sex,
        cast(age_band as {{ dbt.type_string() }}) as age_band,
        cast(religious_belief as {{ dbt.type_string() }}) as religious_belief,
        cast(sexual_orientation as {{ dbt.type_string() }}) as sexual_orientation,

        -- pay (pounds)
        cast(ordinary_pay_period as {{ type_money() }}) as ordinary_pay_period,
        cast(pay_period_days as integer) as pay_period_days,
        cast(full_pay_relevant as boolean) as full_pay_relevant,
        cast(bonus_pay_12m as {{ type_money() }}) as bonus_pay_12m,

        -- board membership
        cast(board_member as boolean) as board_member,
        cast(board_voting as boolean) as board_voting,
        cast(board_executive as boolean) as board_executive,

        -- hr events during the year
        cast(entered_disciplinary as boolean) as entered_disciplinary,
        cast(entered_capability as boolean) as entered_capability,
        cast(nonmandatory_training as boolean) as nonmandatory_training

    from source

)

select * from renamed
