-- Who is in each pay gap population: one row per relevant employee × population ×
-- characteristic, with the employee's group for that characteristic. A population is an
-- organisation (a trust, or the ICS) in a reporting year and a breakdown (`overall`,
-- `staff_group:<code>`, `band:<band>`). Every later figure (counts, means, medians,
-- quartiles) is computed within one population and characteristic, so laying the
-- membership out once keeps those models simple and the same for trusts and the system.
-- A view (configured in _pay__models.yml), though every pay gap model and test reads
-- it: laying out 18 rows per employee is a cheap scan of int_pay_gap_employees, while
-- writing them as a table was the slowest step of a national build. (It was a table
-- while the medians were window functions that sorted it; see docs/performance.md.)

with

employees as (

    select * from {{ ref('int_pay_gap_employees') }}

),

-- The system (ICS) figures pool the member trusts' employees and compute each measure
-- once over the pool (metrics.md): they are not averages of trust figures. A person is
-- identified by trust and pseudonym, since employee numbers are only unique in a trust.
organisations as (

    select
        org_code,
        org_code as member_org_code,
        reporting_year,
        person_id,
        staff_group_code,
        pay_band,
        sex_group,
        ethnicity_group,
        disability_group,
        is_full_pay_relevant,
        hourly_rate,
        bonus_pay_12m,
        received_bonus
    from employees

    union all

    select
        {{ dbt.string_literal(var('icb_code')) }} as org_code,
        org_code as member_org_code,
        reporting_year,
        person_id,
        staff_group_code,
        pay_band,
        sex_group,
        ethnicity_group,
        disability_group,
        is_full_pay_relevant,
        hourly_rate,
        bonus_pay_12m,
        received_bonus
    from employees

),

-- Gaps within a staff group or a band compare like with like, separating unequal pay
-- for the same work from the mix of jobs men and women do. Staff group 01 is medical
-- and dental staff on their own (the Mend the Gap review).
breakdowns as (

    select
        organisations.*,
        'overall' as breakdown
    from organisations

    union all

    select
        organisations.*,
        {{ dbt.concat(["'staff_group:'", "staff_group_code"]) }} as breakdown
    from organisations

    union all

    select
        organisations.*,
        {{ dbt.concat(["'band:'", "pay_band"]) }} as breakdown
    from organisations

),

characteristics as (

    select
        breakdowns.*,
        'sex' as characteristic,
        breakdowns.sex_group as group_name
    from breakdowns

    union all

    select
        breakdowns.*,
        'ethnicity' as characteristic,
        breakdowns.ethnicity_group as group_name
    from breakdowns

    union all

    select
        breakdowns.*,
        'disability' as characteristic,
        breakdowns.disability_group as group_name
    from breakdowns

),

final as (

    select
        cast(org_code as {{ dbt.type_string() }}) as org_code,
        reporting_year,
        cast(breakdown as {{ dbt.type_string() }}) as breakdown,
        cast(characteristic as {{ dbt.type_string() }}) as characteristic,
        cast(group_name as {{ dbt.type_string() }}) as group_name,
        member_org_code,
        person_id,
        is_full_pay_relevant,
        hourly_rate,
        bonus_pay_12m,
        received_bonus
    from characteristics

)

select * from final
